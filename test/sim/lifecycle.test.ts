import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSim, type RunningSim } from '../../sim/index.ts';
import { pinSimRoot } from '../helpers/sim-trust-preload.ts';
import { closeClient, connectClient, getJson, memoryAuth, pairClient, type PairedClient, postJson, waitForClose, waitForEvent, waitForOpen } from './client.ts';

let sim: RunningSim;
let alice: PairedClient;

before(async () => {
  sim = await startSim();
  pinSimRoot(sim.rootPublicKey);
  alice = await pairClient(sim, '15550001001', 'Alice', { keepAliveIntervalMs: 300 });
});
after(async () => {
  await closeClient(alice?.sock);
  await sim.stop();
});

test('account has a phone number and a LID; the device is listed online', async () => {
  const account = await getJson(`${sim.adminUrl}/admin/accounts/15550001001`);
  assert.match(account.lid, /^\d{15}$/);
  assert.equal(alice.auth.creds.me?.lid, `${account.lid}:${alice.device}@lid`);
  assert.equal(account.devices[0].online, true);
  // the client uploaded its initial prekeys (812) after the first login
  assert.ok(account.devices[0].preKeys >= 800, `prekeys: ${account.devices[0].preKeys}`);
});

test('post-link bootstrap from the simulated phone: the companion holds an app-state key', async () => {
  // The key share arrives right after the first login; wait for Baileys to store it.
  const deadline = Date.now() + 5_000;
  while (!alice.auth.creds.myAppStateKeyId && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(alice.auth.creds.myAppStateKeyId, 'app-state key share received');
});

test('keepalive: pings every 300 ms are answered and the connection stays open', async () => {
  const before = (await getJson(`${sim.adminUrl}/admin/stats`)).pings;
  let closed = false;
  const onUpdate = (u: { connection?: string }) => { if (u.connection === 'close') closed = true; };
  alice.sock.ev.on('connection.update', onUpdate);
  // Baileys ends the connection when nothing arrives for interval + 5 s; wait for several pings instead.
  const deadline = Date.now() + 5_000;
  while ((await getJson(`${sim.adminUrl}/admin/stats`)).pings < before + 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  alice.sock.ev.off('connection.update', onUpdate);
  assert.ok((await getJson(`${sim.adminUrl}/admin/stats`)).pings >= before + 5, 'pings were sent and answered');
  assert.equal(closed, false);
  assert.equal((await getJson(`${sim.adminUrl}/admin/accounts/15550001001`)).devices[0].online, true);
});

test('login from saved creds; a second connection replaces the first (440)', async () => {
  const replaced = waitForClose(alice.sock);
  const second = connectClient(sim.wsUrl, alice.auth);
  await waitForOpen(second);
  assert.equal(await replaced, 440);
  alice.sock = second;
});

test('unknown device gets 401', async () => {
  const auth = memoryAuth();
  auth.creds.me = { id: '15559999999:3@s.whatsapp.net', name: 'ghost' };
  const sock = connectClient(sim.wsUrl, auth);
  assert.equal(await waitForClose(sock), 401);
});

test('a known device presenting the wrong noise key gets 401', async () => {
  const auth = memoryAuth();
  auth.creds.me = { ...alice.auth.creds.me! };
  const sock = connectClient(sim.wsUrl, auth);
  assert.equal(await waitForClose(sock), 401);
});

test('fault injection: drop, 515 and 503 close the client with the matching reason', async () => {
  for (const [fault, code] of [['515', 515], ['503', 503], ['drop', 428]] as const) {
    const closed = waitForClose(alice.sock);
    const res = await postJson(`${sim.adminUrl}/admin/faults`, { phone: '15550001001', device: alice.device, fault });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(await closed, code, `fault ${fault}`);
    alice.sock = connectClient(sim.wsUrl, alice.auth);
    await waitForOpen(alice.sock);
  }
});

test('force-401 makes the live connection and every login fail until cleared', async () => {
  const closed = waitForClose(alice.sock);
  await postJson(`${sim.adminUrl}/admin/faults`, { phone: '15550001001', device: alice.device, fault: 'force-401' });
  assert.equal(await closed, 401);
  const retry = connectClient(sim.wsUrl, alice.auth);
  assert.equal(await waitForClose(retry), 401);
  await postJson(`${sim.adminUrl}/admin/faults`, { phone: '15550001001', device: alice.device, fault: 'clear' });
  alice.sock = connectClient(sim.wsUrl, alice.auth);
  await waitForOpen(alice.sock);
});

test('logout removes the companion; the next login gets 401', async () => {
  const closed = waitForEvent(alice.sock, 'connection.update', (u) => u.connection === 'close');
  await alice.sock.logout();
  await closed;
  const account = await getJson(`${sim.adminUrl}/admin/accounts/15550001001`);
  assert.equal(account.devices.length, 0);
  const again = connectClient(sim.wsUrl, alice.auth);
  assert.equal(await waitForClose(again), 401);
  alice.sock = undefined as any;
});
