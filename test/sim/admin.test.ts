import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSim, type RunningSim } from '../../sim/index.ts';
import { getJson, postJson } from './client.ts';

let sim: RunningSim;
before(async () => {
  sim = await startSim({ media: false });
});
after(async () => sim.stop());

test('accounts: create, list, fetch; each has a phone number and a LID', async () => {
  const created = await postJson(`${sim.adminUrl}/admin/accounts`, { phone: '+1 555 000 5001', name: 'Dora' });
  assert.equal(created.status, 201);
  assert.equal(created.body.phone, '15550005001');
  assert.match(created.body.lidJid, /^\d{15}@lid$/);
  const list = await getJson(`${sim.adminUrl}/admin/accounts`);
  assert.ok(list.some((a: any) => a.phone === '15550005001'));
  assert.equal((await getJson(`${sim.adminUrl}/admin/accounts/15550005001`)).name, 'Dora');
  assert.equal((await fetch(`${sim.adminUrl}/admin/accounts/19999999999`)).status, 404);
});

test('bad input gets 4xx and changes nothing', async () => {
  assert.equal((await postJson(`${sim.adminUrl}/admin/accounts`, { phone: '12' })).status, 400);
  assert.equal((await postJson(`${sim.adminUrl}/admin/scan-qr`, { phone: '15550005001' })).status, 400);
  assert.equal((await postJson(`${sim.adminUrl}/admin/scan-qr`, { qr: 'not a qr', phone: '15550005001' })).status, 400);
  const unknownQr = 'https://wa.me/settings/linked_devices#2@abc,AAAA,BBBB,CCCC,1';
  assert.equal((await postJson(`${sim.adminUrl}/admin/scan-qr`, { qr: unknownQr, phone: '15550005001' })).status, 404);
  assert.equal((await postJson(`${sim.adminUrl}/admin/pair-code`, { phone: '15550005001', code: 'ABCD' })).status, 400);
  assert.equal((await postJson(`${sim.adminUrl}/admin/pair-code`, { phone: '15550005001', code: 'ABCDEFGH' })).status, 404);
  assert.equal((await postJson(`${sim.adminUrl}/admin/faults`, { phone: '15550005001', device: 1, fault: 'explode' })).status, 400);
  assert.equal((await postJson(`${sim.adminUrl}/admin/faults`, { phone: '15550005001', device: 1, fault: 'drop' })).status, 409);
  assert.equal((await fetch(`${sim.adminUrl}/admin/accounts/15550005001/devices/7`, { method: 'DELETE' })).status, 404);
  assert.equal((await fetch(`${sim.adminUrl}/admin/nope`)).status, 404);
  const badJson = await fetch(`${sim.adminUrl}/admin/accounts`, { method: 'POST', body: '{' });
  assert.equal(badJson.status, 400);
  assert.equal((await getJson(`${sim.adminUrl}/admin/accounts/15550005001`)).devices.length, 0);
});

test('stats and global latency', async () => {
  const set = await postJson(`${sim.adminUrl}/admin/faults`, { fault: 'latency', latencyMs: 5, jitterMs: 2 });
  assert.deepEqual(set.body, { latencyMs: 5, jitterMs: 2 });
  const stats = await getJson(`${sim.adminUrl}/admin/stats`);
  assert.equal(stats.latencyMs, 5);
  assert.ok(stats.accounts >= 1);
  for (const key of ['connections', 'logins', 'messagesRelayed', 'offlineQueued', 'online']) assert.equal(typeof stats[key], 'number', key);
  await postJson(`${sim.adminUrl}/admin/faults`, { fault: 'latency', latencyMs: 0, jitterMs: 0 });
});
