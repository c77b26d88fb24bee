/** Real Baileys ↔ sim/ over wafleet's HTTP API: pairing, text both ways, receipts, restart, logout. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/test-app.ts';
import { inbox, pairByQr, simJson, startE2E, virtualContact, waitForStatus, type E2E } from './harness.ts';

describe('a Baileys session against sim/', () => {
  let e: E2E;
  before(async () => {
    e = await startE2E();
  });
  after(() => e.close());

  test('pairs by scanning the QR served by the API and reports the account', async () => {
    const session = await pairByQr(e, 'alice', '15550100001');
    assert.equal(session.me.id, '15550100001@s.whatsapp.net');
    assert.match(session.me.lid, /^\d+@lid$/);
    const health = await e.app.request({ method: 'GET', url: '/v1/sessions/alice/health', key: e.key });
    assert.equal(health.statusCode, 200, health.body);
    assert.ok(health.json().lastFrameAgeMs < 60_000);
  });

  test('a text send arrives decrypted at the other phone and its receipts move the status', async () => {
    await virtualContact(e, '15550100002', 'Bob');
    const sent = await e.app.request({ method: 'POST', url: '/v1/sessions/alice/messages', key: e.key, payload: { to: '+1 555 010 0002', type: 'text', text: 'Hello Bob 👋' } });
    assert.equal(sent.statusCode, 201, sent.body);
    const message = sent.json();
    const received = await eventually(() => inbox(e, '15550100002'), (items) => items.some((m) => m.id === message.id), 15_000);
    const entry = received.find((m) => m.id === message.id);
    assert.equal(entry.message.conversation ?? entry.message.extendedTextMessage?.text, 'Hello Bob 👋');
    const stored = await eventually(
      async () => (await e.app.request({ method: 'GET', url: `/v1/sessions/alice/messages/${message.id}`, key: e.key })).json(),
      (m) => m.status === 'delivered' || m.status === 'read',
      15_000,
    );
    assert.ok(['delivered', 'read'].includes(stored.status));
    assert.ok(e.app.events.some((ev) => ev.type === 'message.ack' && ev.payload.id === message.id));
  });

  test('a message from the other phone is stored and announced', async () => {
    const sent = await simJson(e.sim, 'POST', '/admin/contacts/15550100002/send', { to: '15550100001', text: 'Hi Alice, Bob here' });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    const event = await eventually(() => e.app.events.find((ev) => ev.type === 'message.received' && ev.payload.id === sent.body.id), Boolean, 15_000);
    assert.equal((event!.payload.content as { text: string }).text, 'Hi Alice, Bob here');
    assert.equal(event!.payload.fromMe, false);
    const sender = [event!.payload.senderId, event!.payload.senderAltId, event!.payload.chatId, event!.payload.chatAltId];
    assert.ok(sender.includes('15550100002@s.whatsapp.net'), `phone number present: ${JSON.stringify(sender)}`);
    const history = (await e.app.request({ method: 'GET', url: '/v1/sessions/alice/messages', key: e.key })).json();
    assert.ok(history.items.some((m: { id: string }) => m.id === sent.body.id));

    // Every message carries the sender's push name; the contact is stored with it, once.
    const again = await simJson(e.sim, 'POST', '/admin/contacts/15550100002/send', { to: '15550100001', text: 'Bob again' });
    await eventually(() => e.app.events.find((ev) => ev.type === 'message.received' && ev.payload.id === again.body.id), Boolean, 15_000);
    const contacts = (await e.app.request({ method: 'GET', url: '/v1/sessions/alice/contacts', key: e.key })).json();
    const bob = contacts.items.filter((c: { notify: string | null }) => c.notify === 'Bob');
    assert.equal(bob.length, 1, JSON.stringify(contacts.items));
  });

  test('logout unlinks the device: status LOGGED_OUT, auth state wiped, the sim no longer knows it', async () => {
    await pairByQr(e, 'carol', '15550100003');
    const out = await e.app.request({ method: 'POST', url: '/v1/sessions/carol/logout', key: e.key });
    assert.equal(out.json().status, 'LOGGED_OUT');
    assert.deepEqual(await e.app.wafleet.storage.authState.dump('carol'), []);
    const accounts = (await simJson(e.sim, 'GET', '/admin/accounts')).body as Array<{ phone: string; devices: unknown[] }>;
    const carol = accounts.find((a) => a.phone === '15550100003');
    assert.ok(carol, 'the account still exists');
    assert.deepEqual(carol.devices.filter((d: any) => d.id !== 0), [], 'no linked companion remains');
    await e.app.request({ method: 'POST', url: '/v1/sessions/carol/start', key: e.key });
    await waitForStatus(e, 'carol', 'SCAN_QR');
  });
});
