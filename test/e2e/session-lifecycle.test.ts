/** Real Baileys ↔ sim/: pairing code, dropped connections, 401 from WhatsApp, resume after restart. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestApp, eventually } from '../helpers/test-app.ts';
import { pairByQr, simJson, startE2E, waitForStatus } from './harness.ts';

describe('Baileys session lifecycle against sim/', () => {
  test('pairing code: requested through the API, entered on the phone, the session is WORKING', async () => {
    const e = await startE2E();
    try {
      await e.app.request({ method: 'POST', url: '/v1/sessions', key: e.key, payload: { id: 'coded', start: true } });
      await waitForStatus(e, 'coded', 'SCAN_QR');
      const response = await e.app.request({ method: 'POST', url: '/v1/sessions/coded/pairing-code', key: e.key, payload: { phone: '+1 555 020 0001' } });
      assert.equal(response.statusCode, 200, response.body);
      const { code } = response.json();
      assert.match(code, /^[A-Z0-9]{8}$/);
      const entered = await simJson(e.sim, 'POST', '/admin/pair-code', { phone: '15550200001', code, name: 'Coded' });
      assert.equal(entered.status, 200, JSON.stringify(entered.body));
      const session = await waitForStatus(e, 'coded', 'WORKING');
      assert.equal(session.me.id, '15550200001@s.whatsapp.net');
    } finally {
      await e.close();
    }
  });

  test('a dropped connection reconnects on its own; a 401 ends as LOGGED_OUT with the login wiped', async () => {
    const e = await startE2E();
    try {
      await pairByQr(e, 'flaky', '15550200002');
      const dropped = await simJson(e.sim, 'POST', '/admin/faults', { phone: '15550200002', fault: 'drop' });
      assert.equal(dropped.status, 200, JSON.stringify(dropped.body));
      await eventually(() => e.app.events.some((ev) => ev.sessionId === 'flaky' && ev.payload.status === 'RECONNECTING'), Boolean, 15_000);
      await waitForStatus(e, 'flaky', 'WORKING');

      const forced = await simJson(e.sim, 'POST', '/admin/faults', { phone: '15550200002', fault: 'force-401' });
      assert.equal(forced.status, 200, JSON.stringify(forced.body));
      const session = await waitForStatus(e, 'flaky', 'LOGGED_OUT');
      assert.match(session.statusReason, /logged_out/);
      assert.deepEqual(await e.app.wafleet.storage.authState.dump('flaky'), []);
    } finally {
      await e.close();
    }
  });

  test('connection replaced (440) is reported as FAILED; the engine passthrough calls allowlisted Baileys methods', async () => {
    const e = await startE2E({ engineAllowlist: ['onWhatsApp'] });
    try {
      await pairByQr(e, 'twin', '15550200004');
      const passthrough = await e.app.request({ method: 'POST', url: '/v1/sessions/twin/engine/onWhatsApp', key: e.key, payload: { args: ['15550200004'] } });
      assert.equal(passthrough.statusCode, 200, passthrough.body);
      assert.equal(passthrough.json().result[0].exists, true);
      const refused = await e.app.request({ method: 'POST', url: '/v1/sessions/twin/engine/logout', key: e.key, payload: { args: [] } });
      assert.equal(refused.json().error.code, 'ENGINE_METHOD_NOT_ALLOWED');

      const replaced = await simJson(e.sim, 'POST', '/admin/faults', { phone: '15550200004', fault: '440' });
      assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
      const session = await waitForStatus(e, 'twin', 'FAILED');
      assert.match(session.statusReason, /replaced/);
    } finally {
      await e.close();
    }
  });

  test('restart: a WORKING session comes back WORKING after wafleet restarts, with no QR', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wafleet-e2e-'));
    const masterKey = randomBytes(32).toString('base64');
    const e = await startE2E({ masterKey }, dataDir);
    try {
      await pairByQr(e, 'durable', '15550200003');
      await e.app.close();
      const again = await createTestApp({ waUrl: e.sim.wsUrl, masterKey }, dataDir);
      try {
        assert.equal(await again.wafleet.resume(), 1);
        const session = await eventually(
          async () => (await again.request({ method: 'GET', url: '/v1/sessions/durable', key: e.key })).json(),
          (s) => s.status === 'WORKING',
          20_000,
        );
        assert.equal(session.me.id, '15550200003@s.whatsapp.net');
        assert.ok(!again.events.some((ev) => ev.type === 'session.qr'), 'no QR after restart');
      } finally {
        await again.close();
      }
    } finally {
      await e.sim.stop();
      await e.media?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
