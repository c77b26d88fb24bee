/**
 * A linked phone moves between installations without a new QR: a real Baileys session paired with
 * sim/ on one wafleet is exported, imported into another wafleet (its own store and master key),
 * and is WORKING there against sim/ and sends a message the other phone decrypts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, eventually, type TestApp } from '../helpers/test-app.ts';
import { inbox, pairByQr, simJson, startE2E, virtualContact, waitForStatus, type E2E } from './harness.ts';

const PASSPHRASE = 'correct horse battery staple';

describe('session export and import between two installations', () => {
  let source: E2E;
  let target: TestApp;
  let targetKey: string;
  let bundle: Record<string, unknown> | undefined;
  before(async () => {
    source = await startE2E();
    target = await createTestApp({ waUrl: source.sim.wsUrl });
    targetKey = await target.tenantWithKey('beta');
  });
  after(async () => {
    await target.close();
    await source.close();
  });

  test('export → import → WORKING on the new installation without scanning, and it sends', async () => {
    const paired = await pairByQr(source, 'mover', '15550300001');
    await virtualContact(source, '15550300002', 'Dana');

    // A running login is not exported: it must never run in two places.
    const running = await source.app.request({ method: 'GET', url: '/v1/sessions/mover/export', key: source.key, headers: { 'x-wafleet-passphrase': PASSPHRASE } });
    assert.equal(running.statusCode, 409, running.body);
    assert.equal(running.json().error.code, 'SESSION_STATE_CONFLICT');

    const stopped = await source.app.request({ method: 'POST', url: '/v1/sessions/mover/stop', key: source.key });
    assert.equal(stopped.json().status, 'STOPPED');
    const noPassphrase = await source.app.request({ method: 'GET', url: '/v1/sessions/mover/export', key: source.key });
    assert.equal(noPassphrase.statusCode, 400);
    assert.match(noPassphrase.json().error.message, /passphrase of at least 12 characters/);

    const exported = await source.app.request({ method: 'GET', url: '/v1/sessions/mover/export', key: source.key, headers: { 'x-wafleet-passphrase': PASSPHRASE } });
    assert.equal(exported.statusCode, 200, exported.body);
    assert.equal(exported.headers['cache-control'], 'no-store');
    bundle = exported.json();
    assert.equal(bundle!.format, 'wafleet.session-bundle');
    assert.ok(!exported.body.includes('15550300001'), 'the account and its keys are sealed inside the bundle');

    // The wrong passphrase opens nothing and creates nothing.
    const wrong = await target.request({ method: 'POST', url: '/v1/sessions/import', key: targetKey, payload: { bundle, passphrase: 'not the passphrase', id: 'moved' } });
    assert.equal(wrong.statusCode, 422, wrong.body);
    assert.equal(wrong.json().error.code, 'SESSION_BUNDLE_UNREADABLE');
    assert.equal((await target.request({ method: 'GET', url: '/v1/sessions/moved', key: targetKey })).statusCode, 404);

    const qrsBefore = target.events.filter((event) => event.type === 'session.qr').length;
    const imported = await target.request({ method: 'POST', url: '/v1/sessions/import', key: targetKey, payload: { bundle, passphrase: PASSPHRASE, id: 'moved', start: true } });
    assert.equal(imported.statusCode, 201, imported.body);
    assert.equal(imported.json().tenantId, 'beta');
    assert.equal(imported.json().me.id, paired.me.id);
    const working = await eventually(
      async () => (await target.request({ method: 'GET', url: '/v1/sessions/moved', key: targetKey })).json(),
      (s) => s.status === 'WORKING',
      20_000,
    );
    assert.equal(working.me.id, '15550300001@s.whatsapp.net');
    assert.equal(target.events.filter((event) => event.type === 'session.qr').length, qrsBefore, 'no QR was needed');

    // The Signal state came along: the other phone decrypts what the moved session sends...
    const sent = await target.request({ method: 'POST', url: '/v1/sessions/moved/messages', key: targetKey, payload: { to: '15550300002', type: 'text', text: 'sent from the new server' } });
    assert.equal(sent.statusCode, 201, sent.body);
    const received = await eventually(() => inbox(source, '15550300002'), (items) => items.some((m) => m.id === sent.json().id), 15_000);
    const entry = received.find((m) => m.id === sent.json().id);
    assert.equal(entry.message.conversation ?? entry.message.extendedTextMessage?.text, 'sent from the new server');
    // ...and the moved session reads what it is sent.
    const reply = await simJson(source.sim, 'POST', '/admin/contacts/15550300002/send', { to: '15550300001', text: 'got it' });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    await eventually(() => target.events.find((event) => event.type === 'message.received' && event.payload.id === reply.body.id), Boolean, 15_000);

    // Importing the same id twice is a conflict, not a second copy.
    const again = await target.request({ method: 'POST', url: '/v1/sessions/import', key: targetKey, payload: { bundle, passphrase: PASSPHRASE, id: 'moved' } });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'SESSION_EXISTS');
    await waitForStatus(source, 'mover', 'STOPPED');
  });

  test('an edited bundle or something that is not a bundle is refused with a clear message', async () => {
    const base = { passphrase: PASSPHRASE, id: 'other' };
    const notBundle = await target.request({ method: 'POST', url: '/v1/sessions/import', key: targetKey, payload: { ...base, bundle: { hello: 'world' } } });
    assert.equal(notBundle.statusCode, 400);
    assert.match(notBundle.json().error.message, /not a session export: bundle\.format/);
    assert.ok(bundle, 'the first test exported one');
    const edited = await target.request({ method: 'POST', url: '/v1/sessions/import', key: targetKey, payload: { ...base, bundle: { ...bundle, sessionId: 'someone-else' } } });
    assert.equal(edited.statusCode, 422, edited.body);
    assert.equal(edited.json().error.code, 'SESSION_BUNDLE_UNREADABLE');
    assert.equal((await target.request({ method: 'GET', url: '/v1/sessions/other', key: targetKey })).statusCode, 404);
  });
});
