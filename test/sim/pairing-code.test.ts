import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSim, type RunningSim } from '../../sim/index.ts';
import { pinSimRoot } from '../helpers/sim-trust-preload.ts';
import { closeClient, connectClient, getJson, memoryAuth, postJson, waitForClose, waitForOpen, waitForQr } from './client.ts';

let sim: RunningSim;
before(async () => {
  sim = await startSim();
  pinSimRoot(sim.rootPublicKey);
});
after(async () => sim.stop());

test('pairing code: companion_hello → phone enters code → companion_finish → pair-success → 515 → open', async () => {
  const auth = memoryAuth();
  const first = connectClient(sim.wsUrl, auth);
  await waitForQr(first);
  const code = await first.requestPairingCode('15550000002');
  assert.equal(code.length, 8);
  const closed = waitForClose(first);
  const res = await postJson(`${sim.adminUrl}/admin/pair-code`, { phone: '15550000002', code, name: 'Bob' });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(await closed, 515);
  assert.equal(auth.creds.me?.id, `15550000002:${res.body.device}@s.whatsapp.net`);
  const second = connectClient(sim.wsUrl, auth);
  await waitForOpen(second);
  await closeClient(second);
});

test('pairing code: a wrong code does not link the device', async () => {
  const auth = memoryAuth();
  const sock = connectClient(sim.wsUrl, auth);
  await waitForQr(sock);
  await sock.requestPairingCode('15550000003');
  const res = await postJson(`${sim.adminUrl}/admin/pair-code`, { phone: '15550000003', code: 'ZZZZZZZZ' });
  assert.notEqual(res.status, 200);
  const accounts = await getJson(`${sim.adminUrl}/admin/accounts/15550000003`);
  assert.equal(accounts.devices?.length ?? 0, 0);
  await closeClient(sock);
});
