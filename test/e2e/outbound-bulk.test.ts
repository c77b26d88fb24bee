/** Bulk send and async mode through real Baileys against sim/: personalized texts reach each phone once. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inbox, pairByQr, startE2E, virtualContact, type E2E } from './harness.ts';
import { eventually } from '../helpers/test-app.ts';

const textOf = (entry: any): string | undefined => entry.message?.conversation ?? entry.message?.extendedTextMessage?.text;

describe('outbound through real Baileys (sim)', () => {
  let e: E2E;
  before(async () => {
    e = await startE2E();
    await pairByQr(e, 'shop', '15550188001');
    await virtualContact(e, '15550188002', 'Ann');
    await virtualContact(e, '15550188003', 'Bob');
  });
  after(() => e.close());

  test('a bulk send with {{name}}: each phone gets its own text once; the job completes', async () => {
    const created = await e.app.request({
      method: 'POST', url: '/v1/sessions/shop/bulk-messages', key: e.key,
      headers: { 'idempotency-key': 'promo-1' },
      payload: { recipients: [{ to: '+1 555 018 8002', variables: { name: 'Ann' } }, { to: '15550188003', variables: { name: 'Bob' } }], message: { type: 'text', text: 'Hi {{name}}, spring sale!' } },
    });
    assert.equal(created.statusCode, 202, created.body);
    const job = created.json();
    const done = await eventually(async () => (await e.app.request({ method: 'GET', url: `/v1/sessions/shop/bulk-messages/${job.id}`, key: e.key })).json(), (j) => j.status === 'completed', 20_000);
    assert.equal(done.progress.failed, 0);
    const items = (await e.app.request({ method: 'GET', url: `/v1/sessions/shop/bulk-messages/${job.id}/items`, key: e.key })).json().items;
    for (const [phone, name, item] of [['15550188002', 'Ann', items[0]], ['15550188003', 'Bob', items[1]]] as const) {
      const received = await eventually(() => inbox(e, phone), (entries) => entries.some((entry: any) => entry.id === item.messageId), 15_000);
      assert.deepEqual(received.map(textOf), [`Hi ${name}, spring sale!`]);
    }
    const replay = await e.app.request({
      method: 'POST', url: '/v1/sessions/shop/bulk-messages', key: e.key,
      headers: { 'idempotency-key': 'promo-1' },
      payload: { recipients: [{ to: '+1 555 018 8002', variables: { name: 'Ann' } }, { to: '15550188003', variables: { name: 'Bob' } }], message: { type: 'text', text: 'Hi {{name}}, spring sale!' } },
    });
    assert.equal(replay.json().id, job.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await inbox(e, '15550188002')).length, 1, 'the replay sent nothing');
  });

  test('mode=async: 202 queued, then the phone has it and the status moves past sent', async () => {
    const accepted = await e.app.request({ method: 'POST', url: '/v1/sessions/shop/messages?mode=async', key: e.key, payload: { to: '15550188003', type: 'text', text: 'async hello' } });
    assert.equal(accepted.statusCode, 202, accepted.body);
    const { id } = accepted.json();
    await eventually(() => inbox(e, '15550188003'), (entries) => entries.some((entry: any) => entry.id === id && textOf(entry) === 'async hello'), 15_000);
    await eventually(async () => (await e.app.request({ method: 'GET', url: `/v1/sessions/shop/messages/${id}`, key: e.key })).json().status, (s) => s !== 'queued', 15_000);
  });
});
