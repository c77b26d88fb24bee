/** Auth state: batched writes (atomic), deletes with null, clear, dump, cascade with the session. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuthStateWrite } from '../../../src/storage/ports.ts';
import { buf, seed, type StorageContext } from './harness.ts';

/** Every byte value, to prove blobs survive both drivers unchanged. */
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

/**
 * An item the database refuses: key_id is NOT NULL. The type system forbids it, which is exactly
 * why it serves to force a failure in the middle of an otherwise valid batch.
 */
const POISON: AuthStateWrite = { category: 'pre-key', keyId: null as unknown as string, value: buf('x') };

export function registerAuthStateCases(ctx: StorageContext): void {
  describe('auth state', () => {
    test('write, get, overwrite, delete with null, dump', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        await storage.authState.write('s1', [
          { category: 'creds', keyId: 'creds', value: ALL_BYTES },
          { category: 'pre-key', keyId: '1', value: buf('one') },
          { category: 'pre-key', keyId: '2', value: buf('two') },
        ]);
        await storage.authState.write('s2', [{ category: 'pre-key', keyId: '1', value: buf('other session') }]);

        const creds = await storage.authState.get('s1', 'creds', ['creds']);
        assert.ok(Buffer.isBuffer(creds.get('creds')));
        assert.deepEqual(creds.get('creds'), ALL_BYTES);
        const preKeys = await storage.authState.get('s1', 'pre-key', ['1', '2', '3']);
        assert.deepEqual([...preKeys.keys()].sort(), ['1', '2']);
        assert.deepEqual(preKeys.get('1'), buf('one'));
        assert.equal((await storage.authState.get('s1', 'pre-key', [])).size, 0);

        await storage.authState.write('s1', [
          { category: 'pre-key', keyId: '1', value: null },
          { category: 'pre-key', keyId: '2', value: buf('two, again') },
          { category: 'pre-key', keyId: 'never-there', value: null },
        ]);
        assert.deepEqual(await storage.authState.dump('s1'), [
          { category: 'creds', keyId: 'creds', value: ALL_BYTES },
          { category: 'pre-key', keyId: '2', value: buf('two, again') },
        ]);
        assert.deepEqual((await storage.authState.get('s2', 'pre-key', ['1'])).get('1'), buf('other session'));
      }));

    test('the same key twice in one batch: the last write wins', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        await storage.authState.write('s1', [
          { category: 'session', keyId: 'a', value: buf('v1') },
          { category: 'session', keyId: 'a', value: buf('v2') },
          { category: 'session', keyId: 'b', value: buf('b1') },
          { category: 'session', keyId: 'b', value: null },
        ]);
        assert.deepEqual(await storage.authState.dump('s1'), [{ category: 'session', keyId: 'a', value: buf('v2') }]);
      }));

    test('a batch with a failing item writes nothing, even across chunks', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        await storage.authState.write('s1', [
          { category: 'pre-key', keyId: 'keep', value: buf('before') },
          { category: 'pre-key', keyId: 'gone', value: buf('before') },
        ]);
        const before = await storage.authState.dump('s1');
        // 1500 upserts run as several statements, after a delete; the poison is in the last one.
        const many: AuthStateWrite[] = Array.from({ length: 1500 }, (_, i) => ({
          category: 'pre-key',
          keyId: `k${i}`,
          value: buf(`v${i}`),
        }));
        const batch = [{ category: 'pre-key', keyId: 'gone', value: null }, { category: 'pre-key', keyId: 'keep', value: buf('after') }, ...many, POISON];
        await assert.rejects(storage.authState.write('s1', batch));
        assert.deepEqual(await storage.authState.dump('s1'), before);

        // The same batch without the poison goes through.
        await storage.authState.write('s1', batch.slice(0, -1));
        const after = await storage.authState.dump('s1');
        assert.equal(after.length, 1501);
        assert.deepEqual((await storage.authState.get('s1', 'pre-key', ['keep', 'gone', 'k1499'])).get('keep'), buf('after'));
      }));

    test('get with many ids (more than one statement) finds them all', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        const writes = Array.from({ length: 1200 }, (_, i) => ({ category: 'c', keyId: `k${i}`, value: buf(String(i)) }));
        await storage.authState.write('s1', writes);
        const found = await storage.authState.get('s1', 'c', writes.map((w) => w.keyId));
        assert.equal(found.size, 1200);
        assert.deepEqual(found.get('k1199'), buf('1199'));
      }));

    test('clear removes one session only; deleting a session removes its auth state', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        for (const id of ['s1', 's2']) await storage.authState.write(id, [{ category: 'creds', keyId: 'creds', value: buf(id) }]);
        await storage.authState.clear('s1');
        assert.deepEqual(await storage.authState.dump('s1'), []);
        assert.equal((await storage.authState.dump('s2')).length, 1);
        await storage.authState.clear('nobody');

        await storage.sessions.delete('s2');
        assert.deepEqual(await storage.authState.dump('s2'), []);
        // A new session with the same id starts from nothing, not from stale Signal keys.
        await storage.sessions.create({ ...(await storage.sessions.get('s1'))!, id: 's2' });
        assert.deepEqual(await storage.authState.dump('s2'), []);
      }));

    test('writes for an unknown session are refused', () =>
      ctx.withStorage(async (storage) => {
        await seed(storage);
        await assert.rejects(storage.authState.write('ghost', [{ category: 'creds', keyId: 'creds', value: buf('x') }]));
        assert.deepEqual(await storage.authState.dump('ghost'), []);
      }));
  });
}
