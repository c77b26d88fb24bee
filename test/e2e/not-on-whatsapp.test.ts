/** Real Baileys ↔ sim/: a phone number without a WhatsApp account is refused, not reported "sent". */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inbox, pairByQr, simJson, startE2E, virtualContact, type E2E } from './harness.ts';
import { eventually } from '../helpers/test-app.ts';

// The simulator knows which numbers exist: its accounts (paired clients and virtual contacts).
const NOBODY = '15550177999';

describe('sends to a number that is not on WhatsApp (sim)', () => {
  let e: E2E;
  before(async () => {
    e = await startE2E();
    await pairByQr(e, 'desk', '15550177001');
    await virtualContact(e, '15550177002', 'Ann');
    await virtualContact(e, '15550177003', 'Bob');
  });
  after(() => e.close());

  const message = (id: string) => e.app.request({ method: 'GET', url: `/v1/sessions/desk/messages/${id}`, key: e.key });

  test('sync: 422 RECIPIENT_NOT_ON_WHATSAPP, the message is stored failed (never sent), and contacts/check agrees', async () => {
    const relayedBefore = (await simJson(e.sim, 'GET', '/admin/stats')).body.messagesRelayed;
    const refused = await e.app.request({ method: 'POST', url: '/v1/sessions/desk/messages', key: e.key, payload: { to: `+${NOBODY}`, type: 'text', text: 'anyone?' } });
    assert.equal(refused.statusCode, 422, refused.body);
    const error = refused.json().error;
    assert.equal(error.code, 'RECIPIENT_NOT_ON_WHATSAPP');
    assert.match(error.message, new RegExp(`\\+${NOBODY}`));
    const stored = (await message(error.details.messageId)).json();
    assert.equal(stored.status, 'failed');
    assert.match(stored.statusReason, /^RECIPIENT_NOT_ON_WHATSAPP/);
    assert.equal((await simJson(e.sim, 'GET', '/admin/stats')).body.messagesRelayed, relayedBefore, 'nothing went to WhatsApp');

    const check = await e.app.request({ method: 'POST', url: '/v1/sessions/desk/contacts/check', key: e.key, payload: { phones: [NOBODY, '15550177002'] } });
    assert.deepEqual(check.json().items.map((item: any) => [item.input, item.exists]), [[NOBODY, false], ['15550177002', true]]);

    const ok = await e.app.request({ method: 'POST', url: '/v1/sessions/desk/messages', key: e.key, payload: { to: '+15550177002', type: 'text', text: 'hi Ann' } });
    assert.equal(ok.statusCode, 201, ok.body);
  });

  test('async: 202 queued, then failed with the code and a message.failed event', async () => {
    const accepted = await e.app.request({ method: 'POST', url: '/v1/sessions/desk/messages?mode=async', key: e.key, payload: { to: NOBODY, type: 'text', text: 'later?' } });
    assert.equal(accepted.statusCode, 202, accepted.body);
    const { id } = accepted.json();
    const failed = await eventually(async () => (await message(id)).json(), (m) => m.status !== 'queued', 15_000);
    assert.equal(failed.status, 'failed');
    assert.match(failed.statusReason, /^RECIPIENT_NOT_ON_WHATSAPP/);
    const event = e.app.events.find((ev) => ev.type === 'message.failed' && ev.payload.id === id);
    assert.equal(event?.payload.errorCode, 'RECIPIENT_NOT_ON_WHATSAPP');
  });

  test('bulk: the unknown number fails with the code, the others are delivered', async () => {
    const created = await e.app.request({
      method: 'POST', url: '/v1/sessions/desk/bulk-messages', key: e.key,
      payload: { recipients: [{ to: '15550177002' }, { to: NOBODY }, { to: '15550177003' }], message: { type: 'text', text: 'news' } },
    });
    assert.equal(created.statusCode, 202, created.body);
    const job = created.json();
    const done = await eventually(async () => (await e.app.request({ method: 'GET', url: `/v1/sessions/desk/bulk-messages/${job.id}`, key: e.key })).json(), (j) => j.status === 'completed', 20_000);
    assert.equal(done.progress.failed, 1);
    const items = (await e.app.request({ method: 'GET', url: `/v1/sessions/desk/bulk-messages/${job.id}/items`, key: e.key })).json().items;
    const failedItem = (await message(items[1].messageId)).json();
    assert.equal(failedItem.status, 'failed');
    assert.match(failedItem.statusReason, /^RECIPIENT_NOT_ON_WHATSAPP/);
    for (const [phone, item] of [['15550177002', items[0]], ['15550177003', items[2]]] as const) {
      await eventually(() => inbox(e, phone), (entries) => entries.some((entry: any) => entry.id === item.messageId), 15_000);
    }
  });
});
