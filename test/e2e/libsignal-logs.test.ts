/**
 * libsignal prints whole session records (root, chain and ratchet private keys) to the console when
 * it closes a session. The real process (spawned, real Baileys, every log at debug) against sim/:
 * a contact's phone forgets its session and writes again, so Baileys replaces — closes — its open
 * Signal session; stdout and stderr must hold no session record at any level.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startSim, type RunningSim } from '../../sim/index.ts';
import { eventually } from '../helpers/test-app.ts';
import { httpJson, serveWafleet, type ServedWafleet } from '../helpers/wafleet-process.ts';

const PRELOAD = new URL('../helpers/sim-trust-preload.ts', import.meta.url).pathname;
const ADMIN = 'libsignal-log-admin-key-0123456789';
const OWN = '15550188001';
const CONTACT = '15550188002';

async function sim(s: RunningSim, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${s.adminUrl}${path}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  return response.json();
}

describe('libsignal session records never reach the logs (real process, real Baileys, sim)', () => {
  let s: RunningSim;
  let dataDir: string;
  let served: ServedWafleet | undefined;
  before(async () => {
    s = await startSim();
    dataDir = mkdtempSync(join(tmpdir(), 'wafleet-libsignal-'));
  });
  after(async () => {
    served?.child.kill('SIGKILL');
    await served?.exit;
    await s.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('a replaced Signal session is logged as one debug line, without keys', { timeout: 90_000 }, async () => {
    const { DATABASE_URL: _db, ...inherited } = process.env;
    served = serveWafleet({
      ...inherited,
      NODE_ENV: 'test',
      WAFLEET_HOST: '127.0.0.1',
      WAFLEET_PORT: '0',
      WAFLEET_LOG_LEVEL: 'debug',
      WAFLEET_ENGINE_LOG_LEVEL: 'debug',
      WAFLEET_DATA_DIR: dataDir,
      WAFLEET_ADMIN_KEY: ADMIN,
      WAFLEET_MASTER_KEY: randomBytes(32).toString('base64'),
      WAFLEET_WA_URL: s.wsUrl,
      WAFLEET_SIM_ROOT_KEY: s.rootPublicKey,
    }, [PRELOAD]);
    const url = await served.url;
    assert.equal((await httpJson(url, 'POST', '/v1/tenants', ADMIN, { id: 'acme' })).status, 201);
    const key = (await httpJson(url, 'POST', '/v1/tenants/acme/keys', ADMIN, { scopes: ['read', 'send', 'manage'] })).body.key as string;
    assert.equal((await httpJson(url, 'POST', '/v1/sessions', key, { id: 'sig', start: true })).status, 201);
    await eventually(async () => (await httpJson(url, 'GET', '/v1/sessions/sig', key)).body.status, (st) => st === 'SCAN_QR', 30_000);
    const qr = await httpJson(url, 'GET', '/v1/sessions/sig/qr?format=raw', key);
    await sim(s, 'POST', '/admin/scan-qr', { qr: qr.body, phone: OWN, name: 'Alice' });
    await eventually(async () => (await httpJson(url, 'GET', '/v1/sessions/sig', key)).body.status, (st) => st === 'WORKING', 30_000);
    await sim(s, 'POST', '/admin/contacts', { phone: CONTACT, name: 'Bob' });

    const received = async () => ((await httpJson(url, 'GET', '/v1/events?session=sig&types=message.received&limit=100', key)).body.items as any[]).length;
    await sim(s, 'POST', `/admin/contacts/${CONTACT}/send`, { to: OWN, text: 'first, opens a session' });
    await eventually(received, (n) => n >= 1, 20_000);
    assert.deepEqual(await sim(s, 'POST', `/admin/contacts/${CONTACT}/reset-session`, { to: OWN }), { reset: 1 });
    await sim(s, 'POST', `/admin/contacts/${CONTACT}/send`, { to: OWN, text: 'second, from a new session' });
    await eventually(received, (n) => n >= 2, 20_000);
    // Either the debug line or, unguarded, libsignal's own dump.
    await eventually(() => served!.output(), (out) => out.includes('Closing session'), 10_000);

    const output = served.output();
    assert.doesNotMatch(output, /SessionEntry/, 'no session record printed');
    assert.doesNotMatch(output, /privKey|rootKey|chainKey|ephemeralKeyPair|baseKey/, 'no Signal key material printed');
    assert.doesNotMatch(output, /<Buffer [0-9a-f ]+/, 'no raw key bytes printed');
    assert.match(output, /"level":20,[^\n]*"msg":"libsignal: Closing open session in favor of incoming prekey bundle"/, 'the replacement is reported at debug');
  });
});
