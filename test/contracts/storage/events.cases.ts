/** Events: append, cursor paging, filters, pruning, conflicts. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EventRecord } from '../../../src/domain/records.ts';
import { StorageConflictError } from '../../../src/storage/ports.ts';
import { event, eventId, type StorageContext } from './harness.ts';

const ids = (events: EventRecord[]): string[] => events.map((e) => e.id);

export function registerEventCases(ctx: StorageContext): void {
  describe('events', () => {
    test('append then list ascending by id whatever the insert order; fields round-trip', () =>
      ctx.withStorage(async (storage) => {
        const global = event(2, { sessionId: null, type: 'tenant.updated', payload: { nested: { a: [1, 2] } } });
        await storage.events.append([event(3), global]);
        await storage.events.append([event(1)]);
        await storage.events.append([]);
        const listed = await storage.events.list({ limit: 10 });
        assert.deepEqual(listed, [event(1), global, event(3)]);
      }));

    test('cursor paging visits every event once, in order', () =>
      ctx.withStorage(async (storage) => {
        const all = Array.from({ length: 25 }, (_, i) => event(i + 1));
        await storage.events.append(all);
        const seen: EventRecord[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await storage.events.list({ limit: 10, ...(after ? { after } : {}) });
          if (page.length === 0) break;
          assert.ok(page.length <= 10);
          seen.push(...page);
          after = page.at(-1)!.id;
        }
        assert.deepEqual(ids(seen), ids(all));
        assert.deepEqual(await storage.events.list({ after: eventId(25), limit: 10 }), []);
        // A cursor need not be an existing id: it is compared, not looked up.
        assert.deepEqual(ids(await storage.events.list({ after: `${eventId(3)}0`, limit: 2 })), [eventId(4), eventId(5)]);
      }));

    test('filters: tenant, session, types (combined with the cursor)', () =>
      ctx.withStorage(async (storage) => {
        await storage.events.append([
          event(1),
          event(2, { tenantId: 'other', sessionId: 'o1' }),
          event(3, { type: 'message.received' }),
          event(4, { sessionId: 's2', type: 'message.ack' }),
          event(5, { type: 'message.ack' }),
        ]);
        assert.deepEqual(ids(await storage.events.list({ tenantId: 'acme', limit: 10 })), [1, 3, 4, 5].map(eventId));
        assert.deepEqual(ids(await storage.events.list({ tenantId: 'other', limit: 10 })), [eventId(2)]);
        assert.deepEqual(ids(await storage.events.list({ sessionId: 's1', limit: 10 })), [1, 3, 5].map(eventId));
        assert.deepEqual(
          ids(await storage.events.list({ tenantId: 'acme', types: ['message.ack', 'message.received'], limit: 10 })),
          [3, 4, 5].map(eventId),
        );
        assert.deepEqual(
          ids(await storage.events.list({ tenantId: 'acme', types: ['message.ack'], after: eventId(4), limit: 10 })),
          [eventId(5)],
        );
        assert.equal((await storage.events.list({ types: [], limit: 10 })).length, 5, 'empty types = no filter');
        assert.deepEqual(await storage.events.list({ types: ['nothing.like.this'], limit: 10 }), []);
        assert.deepEqual(ids(await storage.events.list({ limit: 2 })), [1, 2].map(eventId));
      }));

    test('pruneBefore deletes strictly older events and counts them', () =>
      ctx.withStorage(async (storage) => {
        await storage.events.append(Array.from({ length: 6 }, (_, i) => event(i + 1)));
        // event(n).timestamp = 1_700_000_000_000 + n
        assert.equal(await storage.events.pruneBefore(1_700_000_000_004), 3);
        assert.deepEqual(ids(await storage.events.list({ limit: 10 })), [4, 5, 6].map(eventId));
        assert.equal(await storage.events.pruneBefore(1_700_000_000_004), 0);
      }));

    test('a duplicate id rejects the whole append, even across insert chunks', () =>
      ctx.withStorage(async (storage) => {
        await storage.events.append([event(1)]);
        await assert.rejects(storage.events.append([event(2), event(1)]), StorageConflictError);
        // 1200 rows are written in several statements; the duplicate is in the last one.
        const big = Array.from({ length: 1200 }, (_, i) => event(i + 10));
        await assert.rejects(storage.events.append([...big, event(1)]), StorageConflictError);
        assert.deepEqual(ids(await storage.events.list({ limit: 5000 })), [eventId(1)]);
      }));
  });
}
