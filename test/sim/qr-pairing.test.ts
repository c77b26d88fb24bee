import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSim, type RunningSim } from '../../sim/index.ts';
import { pinSimRoot } from '../helpers/sim-trust-preload.ts';
import { closeClient, connectClient, memoryAuth, postJson, waitForClose, waitForOpen, waitForQr } from './client.ts';

let sim: RunningSim;
before(async () => {
  sim = await startSim();
  pinSimRoot(sim.rootPublicKey);
});
after(async () => sim.stop());

test('QR pairing: scan → pair-success → 515 → login opens', async () => {
  const auth = memoryAuth();
  const first = connectClient(sim.wsUrl, auth);
  const qr = await waitForQr(first);
  assert.match(qr, /^https:\/\/wa\.me\/settings\/linked_devices#/);
  const closed = waitForClose(first);
  const scan = await postJson(`${sim.adminUrl}/admin/scan-qr`, { qr, phone: '15550000001', name: 'Alice' });
  assert.equal(scan.status, 200, JSON.stringify(scan.body));
  assert.equal(await closed, 515);
  assert.equal(auth.creds.me?.id, `15550000001:${scan.body.device}@s.whatsapp.net`);
  const second = connectClient(sim.wsUrl, auth);
  await waitForOpen(second);
  assert.equal(auth.creds.me?.lid, `${scan.body.lid}:${scan.body.device}@lid`);
  await closeClient(second);
});
