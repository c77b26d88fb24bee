import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { WAMessage } from 'baileys';
import { startSim } from '../../sim/index.ts';
import { pinSimRoot } from '../helpers/sim-trust-preload.ts';
import { closeClient, connectClient, pairClient, postJson, waitForEvent, waitForOpen } from './client.ts';

const dir = mkdtempSync(join(tmpdir(), 'wafleet-sim-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('state file + root seed: after a restart the same root is served, saved creds log in and the offline queue survives', async () => {
  const options = { stateFile: join(dir, 'state.json'), rootSeed: 'persistence-test' };
  const first = await startSim(options);
  pinSimRoot(first.rootPublicKey);
  const alice = await pairClient(first, '15550004001', 'Alice');
  await postJson(`${first.adminUrl}/admin/contacts`, { phone: '15550004999', name: 'Vera' });
  await closeClient(alice.sock);
  const sent = await postJson(`${first.adminUrl}/admin/contacts/15550004999/send`, { to: '15550004001', text: 'queued across a restart' });
  assert.equal(sent.status, 200);
  await first.stop();

  const second = await startSim(options);
  try {
    assert.equal(second.rootPublicKey, first.rootPublicKey);
    const sock = connectClient(second.wsUrl, alice.auth);
    const text = (m: WAMessage) => m.message?.conversation ?? m.message?.extendedTextMessage?.text;
    const got = waitForEvent(sock, 'messages.upsert', ({ messages }) => messages.some((m) => text(m) === 'queued across a restart'));
    await waitForOpen(sock);
    await got;
    await closeClient(sock);
  } finally {
    await second.stop();
  }
});
