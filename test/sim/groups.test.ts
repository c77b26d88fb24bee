import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { WAMessage, WASocket } from 'baileys';
import { startSim, type RunningSim } from '../../sim/index.ts';
import { pinSimRoot } from '../helpers/sim-trust-preload.ts';
import { closeClient, getJson, pairClient, type PairedClient, postJson, waitForEvent } from './client.ts';

let sim: RunningSim;
let alice: PairedClient;
let bob: PairedClient;
const ALICE = '15550003001';
const BOB = '15550003002';

before(async () => {
  sim = await startSim();
  pinSimRoot(sim.rootPublicKey);
  [alice, bob] = await Promise.all([pairClient(sim, ALICE, 'Alice'), pairClient(sim, BOB, 'Bob')]);
});
after(async () => {
  await Promise.all([closeClient(alice?.sock), closeClient(bob?.sock)]);
  await sim.stop();
});

const textOf = (m: WAMessage) => m.message?.conversation ?? m.message?.extendedTextMessage?.text ?? undefined;
function nextText(sock: WASocket, text: string): Promise<WAMessage> {
  return waitForEvent(sock, 'messages.upsert', ({ messages }) => messages.some((m) => !m.key.fromMe && textOf(m) === text)).then(
    ({ messages }) => messages.find((m) => textOf(m) === text)!,
  );
}

let groupJid = '';

test('group create: the member is told (w:gp2) and metadata lists both', async () => {
  const told = waitForEvent(bob.sock, 'groups.upsert');
  const meta = await alice.sock.groupCreate('sim group', [`${BOB}@s.whatsapp.net`]);
  groupJid = meta.id;
  assert.match(groupJid, /@g\.us$/);
  const [upserted] = await told;
  assert.equal(upserted?.id, groupJid);
  const fetched = await bob.sock.groupMetadata(groupJid);
  assert.equal(fetched.subject, 'sim group');
  assert.equal(fetched.participants.length, 2);
});

test('group text with sender keys: Alice → group reaches Bob, Bob → group reaches Alice', async () => {
  const atBob = nextText(bob.sock, 'hello group');
  await alice.sock.sendMessage(groupJid, { text: 'hello group' });
  const got = await atBob;
  assert.equal(got.key.remoteJid, groupJid);
  assert.ok(got.key.participant, 'group message names its author');
  const atAlice = nextText(alice.sock, 'hi from bob');
  await bob.sock.sendMessage(groupJid, { text: 'hi from bob' });
  await atAlice;
  // Second message reuses the sender key (no new distribution): still decrypts.
  const again = nextText(bob.sock, 'second');
  await alice.sock.sendMessage(groupJid, { text: 'second' });
  await again;
});

test('subject change is notified to the other member', async () => {
  const updated = waitForEvent(bob.sock, 'groups.update', (updates) => updates.some((u) => u.subject === 'renamed'));
  await alice.sock.groupUpdateSubject(groupJid, 'renamed');
  await updated;
});

test('virtual contact in a group: receives member posts (sender keys) and posts via the admin API', async () => {
  await postJson(`${sim.adminUrl}/admin/contacts`, { phone: '15550003999', name: 'Vera' });
  const added = waitForEvent(bob.sock, 'group-participants.update', (u) => u.action === 'add');
  await alice.sock.groupParticipantsUpdate(groupJid, ['15550003999@s.whatsapp.net'], 'add');
  await added;
  await alice.sock.sendMessage(groupJid, { text: 'welcome vera' });
  const deadline = Date.now() + 5_000;
  let inbox: any[] = [];
  const isWelcome = (e: any) => e.group === groupJid && (e.message?.conversation ?? e.message?.extendedTextMessage?.text) === 'welcome vera';
  while (Date.now() < deadline && !inbox.some(isWelcome)) {
    inbox = await getJson(`${sim.adminUrl}/admin/contacts/15550003999/inbox`);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(inbox.some(isWelcome), JSON.stringify(inbox));
  const atAlice = nextText(alice.sock, 'thanks from vera');
  const atBob = nextText(bob.sock, 'thanks from vera');
  const sent = await postJson(`${sim.adminUrl}/admin/contacts/15550003999/send-group`, { group: groupJid, text: 'thanks from vera' });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  await Promise.all([atAlice, atBob]);
});
