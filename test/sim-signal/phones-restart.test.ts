import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { WASocket } from 'baileys';
import { startSim, type RunningSim } from '../../sim/index.ts';
import { contactRoutes, SignalPhones } from '../../sim/signal/index.ts';
import { pinSimRoot } from '../helpers/sim-trust-preload.ts';
import { connectClient } from './e2e-client.ts';
import { closeClient, getJson, memoryAuth, postJson, waitForClose, waitForEvent, waitForOpen, waitForQr } from '../sim/client.ts';

/*
 * With a phones file, a restarted simulator's phones keep identity, sessions and app-state keys.
 * (Without one, identity survives — it is the account key — and Baileys re-fetches bundles on a
 * new connection, but the app-state keys the companion holds are forgotten.)
 */
const dir = mkdtempSync(join(tmpdir(), 'sim-signal-'));
const PHONE = '15550004440';
const CONTACT = '15550004449';
after(() => rmSync(dir, { recursive: true, force: true }));

async function boot(): Promise<{ running: RunningSim; phones: SignalPhones }> {
  const phones = new SignalPhones({ file: join(dir, 'phones.json') });
  const running = await startSim({ stateFile: join(dir, 'state.json'), rootSeed: 'sim-signal-restart', extensions: [phones], adminRoutes: contactRoutes(phones) });
  phones.attach(running.sim);
  pinSimRoot(running.rootPublicKey);
  return { running, phones };
}

async function inboxHas(running: RunningSim, text: string): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const inbox: any[] = await getJson(`${running.adminUrl}/admin/contacts/${CONTACT}/inbox`);
    if (inbox.some((e) => (e.message.extendedTextMessage?.text ?? e.message.conversation) === text)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** The client speaks first: after a restart it still holds its old session with the phone. */
async function exchange(running: RunningSim, sock: WASocket, tag: string): Promise<void> {
  await sock.sendMessage(`${CONTACT}@s.whatsapp.net`, { text: `to vic ${tag}` });
  assert.ok(await inboxHas(running, `to vic ${tag}`), `contact got "to vic ${tag}"`);
  const text = `from vic ${tag}`;
  const incoming = waitForEvent(sock, 'messages.upsert', (u) => u.messages.some((m) => m.message?.conversation === text));
  const sent = await postJson(`${running.adminUrl}/admin/contacts/${CONTACT}/send`, { to: PHONE, text });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  await incoming;
}

test('phones keep their Signal state across a simulator restart', async () => {
  const auth = memoryAuth();
  let { running, phones } = await boot();
  const first = connectClient(running.wsUrl, auth);
  const qr = await waitForQr(first);
  const closed = waitForClose(first);
  await postJson(`${running.adminUrl}/admin/scan-qr`, { qr, phone: PHONE, name: 'Ana' });
  await closed;
  let sock = connectClient(running.wsUrl, auth);
  await waitForOpen(sock);
  await postJson(`${running.adminUrl}/admin/contacts`, { phone: CONTACT, name: 'Vic' });
  await exchange(running, sock, 'before');
  assert.deepEqual(phones.errors, []);

  const contactAccount = () => running.sim.store.account(CONTACT)!;
  const identityBefore = phones.phone(contactAccount()).contact.device.identityKey;
  const keysBefore = phones.phone(running.sim.store.account(PHONE)!).appStateKeys;
  await closeClient(sock);
  phones.flush();
  await running.stop();

  ({ running, phones } = await boot());
  try {
    sock = connectClient(running.wsUrl, auth);
    await waitForOpen(sock);
    await exchange(running, sock, 'after');
    // Same identity (no "security code changed" for the gateway) and the same app-state keys.
    assert.deepEqual(phones.phone(contactAccount()).contact.device.identityKey, identityBefore);
    assert.deepEqual(phones.phone(running.sim.store.account(PHONE)!).appStateKeys, keysBefore);
    assert.deepEqual(phones.errors, []);
  } finally {
    await closeClient(sock);
    phones.flush();
    await running.stop();
  }
});
