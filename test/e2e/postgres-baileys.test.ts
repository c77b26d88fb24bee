/**
 * Real Baileys ↔ sim/ with wafleet on PostgreSQL (runs when WAFLEET_TEST_PG_URL is set): sessions
 * paired by QR at the same time, texts both ways, and a restart that resumes them without a QR.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createTestApp, eventually } from '../helpers/test-app.ts';
import { dropPostgresSchema } from '../../src/storage/postgres/open-postgres.ts';
import { inbox, pairByQr, startE2E, virtualContact } from './harness.ts';

const url = process.env.WAFLEET_TEST_PG_URL;
const PHONES = ['15550700001', '15550700002', '15550700003', '15550700004'];

describe('real Baileys sessions on PostgreSQL', { skip: url ? false : 'WAFLEET_TEST_PG_URL not set' }, () => {
  test('four sessions paired at once all reach WORKING, send and receive, and resume after a restart without a QR', async () => {
    const settings = { databaseUrl: url, databaseSchema: `wafleet_e2e_${randomBytes(4).toString('hex')}`, masterKey: randomBytes(32).toString('base64') };
    const e = await startE2E(settings);
    let firstOpen = true;
    try {
      // Right after a scan WhatsApp asks for a new connection, which must read the creds just saved.
      await Promise.all(PHONES.map((phone, i) => pairByQr(e, `pg-${i}`, phone)));
      const contact = await virtualContact(e, '15550709999', 'Dora');
      const send = async (app: typeof e.app, i: number, text: string) => {
        const sent = await app.request({ method: 'POST', url: `/v1/sessions/pg-${i}/messages`, key: e.key, payload: { to: contact.phone, type: 'text', text } });
        assert.equal(sent.statusCode, 201, sent.body);
        return sent.json().id as string;
      };
      const ids = await Promise.all(PHONES.map((_, i) => send(e.app, i, `from pg-${i}`)));
      const received = await eventually(() => inbox(e, contact.phone), (items) => ids.every((id) => items.some((m) => m.id === id)), 20_000);
      assert.equal(received.length, PHONES.length);

      await e.app.close();
      firstOpen = false;
      const again = await createTestApp({ waUrl: e.sim.wsUrl, ...settings });
      try {
        assert.equal(again.wafleet.storage.driver, 'postgres');
        assert.equal(await again.wafleet.resume(), PHONES.length);
        for (let i = 0; i < PHONES.length; i++) {
          await eventually(async () => (await again.request({ method: 'GET', url: `/v1/sessions/pg-${i}`, key: e.key })).json(), (s) => s.status === 'WORKING', 20_000);
        }
        assert.ok(!again.events.some((ev) => ev.type === 'session.qr'), 'no QR after the restart');
        const after = await send(again, 0, 'after the restart');
        await eventually(() => inbox(e, contact.phone), (items) => items.some((m) => m.id === after), 20_000);
      } finally {
        await again.close();
      }
    } finally {
      if (firstOpen) await e.app.close();
      await e.sim.stop();
      await e.media?.close();
      await dropPostgresSchema(url!, settings.databaseSchema);
    }
  });
});
