/** Real Baileys ↔ sim/: a QR nobody scans stops rotating after qrMaxCycles codes; start begins afresh. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/test-app.ts';
import { simJson, startE2E, waitForStatus, type E2E } from './harness.ts';

function eventsOf(e: E2E, sessionId: string, type: string) {
  return e.app.events.filter((event) => event.sessionId === sessionId && event.type === type);
}

test('an unscanned QR ends FAILED with QR_TIMEOUT after qrMaxCycles codes, stays down, and start counts afresh', async () => {
  // Two refs per connection: the third code comes from a second connection, so the count spans reconnects.
  const e = await startE2E({ qrMaxCycles: 3, qrTimeoutMs: 300 }, undefined, { qrRefs: 2 });
  try {
    const created = await e.app.request({ method: 'POST', url: '/v1/sessions', key: e.key, payload: { id: 'unscanned', start: true } });
    assert.equal(created.statusCode, 201, created.body);
    const failed = await waitForStatus(e, 'unscanned', 'FAILED');
    assert.match(failed.statusReason, /^QR_TIMEOUT/);
    assert.equal(failed.desiredState, 'stopped');
    assert.equal(eventsOf(e, 'unscanned', 'session.qr').length, 3);
    assert.deepEqual(eventsOf(e, 'unscanned', 'session.qr_timeout').map((event) => event.payload), [{ reason: 'QR_TIMEOUT', cycles: 3 }]);
    const status = eventsOf(e, 'unscanned', 'session.status').at(-1);
    assert.equal(status?.payload.status, 'FAILED');
    assert.match(String(status?.payload.reason), /^QR_TIMEOUT/);
    const qr = await e.app.request({ method: 'GET', url: '/v1/sessions/unscanned/qr?format=raw', key: e.key });
    assert.equal(qr.json().error.code, 'QR_NOT_AVAILABLE');

    // Stopped for good: no new registrations reach WhatsApp while nobody asks.
    const registrations = (await simJson(e.sim, 'GET', '/admin/stats')).body.registrations;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal((await simJson(e.sim, 'GET', '/admin/stats')).body.registrations, registrations);
    assert.equal((await waitForStatus(e, 'unscanned', 'FAILED')).statusReason, failed.statusReason);

    // A start gets the full count again (3 more codes, not 0), and a scan in time still links.
    const restarted = await e.app.request({ method: 'POST', url: '/v1/sessions/unscanned/start', key: e.key });
    assert.equal(restarted.statusCode, 200, restarted.body);
    await eventually(() => eventsOf(e, 'unscanned', 'session.qr_timeout').length, (count) => count === 2, 20_000);
    assert.equal(eventsOf(e, 'unscanned', 'session.qr').length, 6);

    await e.app.request({ method: 'POST', url: '/v1/sessions/unscanned/start', key: e.key });
    await waitForStatus(e, 'unscanned', 'SCAN_QR');
    const code = await e.app.request({ method: 'GET', url: '/v1/sessions/unscanned/qr?format=raw', key: e.key });
    const scan = await simJson(e.sim, 'POST', '/admin/scan-qr', { qr: code.body, phone: '15550300001', name: 'Late' });
    assert.equal(scan.status, 200, JSON.stringify(scan.body));
    await waitForStatus(e, 'unscanned', 'WORKING');
  } finally {
    await e.close();
  }
});

test('config.qrMaxCycles overrides the default per session, also when the refs of a connection run out', async () => {
  const e = await startE2E({ qrMaxCycles: 5, qrTimeoutMs: 300 }, undefined, { qrRefs: 2 });
  try {
    const bad = await e.app.request({ method: 'POST', url: '/v1/sessions', key: e.key, payload: { id: 'strict', config: { qrMaxCycles: 0 } } });
    assert.equal(bad.statusCode, 400, bad.body);
    const created = await e.app.request({ method: 'POST', url: '/v1/sessions', key: e.key, payload: { id: 'strict', start: true, config: { qrMaxCycles: 2 } } });
    assert.equal(created.statusCode, 201, created.body);
    const failed = await waitForStatus(e, 'strict', 'FAILED');
    assert.match(failed.statusReason, /^QR_TIMEOUT/);
    assert.equal(eventsOf(e, 'strict', 'session.qr').length, 2);
    // Both codes came from one connection: no reconnect after its refs ran out.
    assert.equal((await simJson(e.sim, 'GET', '/admin/stats')).body.registrations, 1);
  } finally {
    await e.close();
  }
});
