import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { BaileysEventMap, WASocket } from 'baileys';
import { startSim, type RunningSim } from '../../sim/index.ts';
import { contactRoutes, SignalPhones } from '../../sim/signal/index.ts';
import { pinSimRoot } from '../helpers/sim-trust-preload.ts';
import { connectClient } from './e2e-client.ts';
import { closeClient, getJson, memoryAuth, postJson, waitForClose, waitForEvent, waitForOpen, waitForQr } from '../sim/client.ts';

/*
 * End to end with an unmodified Baileys socket over loopback: the simulated phone's bootstrap
 * ends Baileys' 20 s AwaitingInitialSync wait, and a virtual contact exchanges real Signal
 * messages with the client through the admin API.
 */
const PHONE = '15550007770';
const CONTACT = '15550009990';

let running: RunningSim;
let phones: SignalPhones;
let sock: WASocket | undefined;
const auth = memoryAuth();

before(async () => {
  phones = new SignalPhones();
  running = await startSim({ extensions: [phones], adminRoutes: contactRoutes(phones) });
  phones.attach(running.sim);
  pinSimRoot(running.rootPublicKey);
});
after(async () => {
  await closeClient(sock);
  await running.stop();
});

test('post-link bootstrap: Baileys reaches the synced state well before its 20 s timeout', async () => {
  const first = connectClient(running.wsUrl, auth);
  const qr = await waitForQr(first);
  const closed = waitForClose(first);
  const scan = await postJson(`${running.adminUrl}/admin/scan-qr`, { qr, phone: PHONE, name: 'Ana' });
  assert.equal(scan.status, 200, JSON.stringify(scan.body));
  assert.equal(await closed, 515);

  sock = connectClient(running.wsUrl, auth);
  const history = waitForEvent(sock, 'messaging-history.set', () => true, 10_000);
  const synced = waitForEvent(sock, 'creds.update', (u) => (u.accountSyncCounter ?? 0) > 0, 10_000);
  await waitForOpen(sock);
  const started = Date.now();
  const set = await history;
  await synced;
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 5_000, `synced after ${elapsed} ms`);
  assert.equal(set.syncType, 0 /* INITIAL_BOOTSTRAP */);
  assert.ok(auth.creds.myAppStateKeyId, 'app-state key received');
  // Device 0's Signal identity is the account (ADV) key, as on a real phone.
  const account = running.sim.store.account(PHONE)!;
  assert.deepEqual(phones.phone(account).contact.device.identityKey, Buffer.from(account.accountKey.public));
  assert.deepEqual(phones.errors, []);
});

test('virtual contact ↔ Baileys client: text both ways through the admin API', async () => {
  assert.ok(sock, 'needs the linked client from the previous test');
  const created = await postJson(`${running.adminUrl}/admin/contacts`, { phone: CONTACT, name: 'Vic' });
  assert.equal(created.status, 201, JSON.stringify(created.body));

  const incoming = waitForEvent(sock, 'messages.upsert', (u) => u.messages.some((m) => m.message?.conversation === 'hello from vic'));
  const sent = await postJson(`${running.adminUrl}/admin/contacts/${CONTACT}/send`, { to: PHONE, text: 'hello from vic' });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  const upsert = await incoming;
  assert.equal(upsert.messages[0]!.key.fromMe, false);

  await sock.sendMessage(`${CONTACT}@s.whatsapp.net`, { text: 'hi vic' });
  const deadline = Date.now() + 10_000;
  // Baileys sends text as extendedTextMessage (with a messageSecret), not as `conversation`.
  const isHi = (e: any) => (e.message.extendedTextMessage?.text ?? e.message.conversation) === 'hi vic';
  let inbox: any[] = [];
  while (Date.now() < deadline) {
    inbox = await getJson(`${running.adminUrl}/admin/contacts/${CONTACT}/inbox`);
    if (inbox.some(isHi)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(inbox.some(isHi), JSON.stringify({ inbox, errors: phones.errors }));
  // The client also sent its own phone (device 0) a copy; it decrypted without error.
  const ownPhone = running.sim.store.account(PHONE)!;
  assert.ok(phones.inbox(ownPhone).some((e) => e.message.deviceSentMessage?.message?.extendedTextMessage?.text === 'hi vic'));
  assert.deepEqual(phones.errors, []);
});

test('virtual contact posts in a group: sender key distribution + skmsg decrypt in Baileys', async () => {
  const client0 = sock;
  assert.ok(client0, 'needs the linked client from the first test');
  const group = '120363000000000777@g.us';
  const contact = running.sim.store.account(CONTACT)!;
  const client = running.sim.store.account(PHONE)!;
  for (const text of ['group one', 'group two']) {
    const incoming: Promise<BaileysEventMap['messages.upsert']> = waitForEvent(client0, 'messages.upsert', (u) => u.messages.some((m) => m.key.remoteJid === group && m.message?.conversation === text));
    await phones.sendToGroup(contact, group, [contact, client], { conversation: text });
    const upsert = await incoming;
    assert.equal(upsert.messages[0]!.key.participant, `${contact.lid}@lid`);
  }
  assert.deepEqual(phones.errors, []);
});

test('receipts, reactions and edits between a virtual contact and the client', async () => {
  const client0 = sock;
  assert.ok(client0, 'needs the linked client from the first test');
  // Status updates may arrive as messages.update or merged into messages.upsert (loopback timing).
  const statuses = new Map<string, number>();
  const track = (id: string | null | undefined, status: number | null | undefined) => {
    if (id && typeof status === 'number') statuses.set(id, Math.max(status, statuses.get(id) ?? 0));
  };
  client0.ev.on('messages.update', (updates) => updates.forEach((u) => track(u.key.id, u.update.status)));
  client0.ev.on('messages.upsert', ({ messages }) => messages.forEach((m) => track(m.key.id, m.status)));
  const until = async (ok: () => boolean, what: string) => {
    const deadline = Date.now() + 10_000;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const mine = await client0.sendMessage(`${CONTACT}@s.whatsapp.net`, { text: 'read me' });
  const id = mine!.key.id!;
  await until(() => (statuses.get(id) ?? 0) >= 3, 'delivery receipt');
  const read = await postJson(`${running.adminUrl}/admin/contacts/${CONTACT}/read`, { ids: [id] });
  assert.deepEqual(read.body, { receipts: 1 });
  await until(() => (statuses.get(id) ?? 0) >= 4, 'read receipt');

  const reaction = waitForEvent(client0, 'messages.upsert', (u) => u.messages.some((m) => m.message?.reactionMessage?.text === '👍'));
  await postJson(`${running.adminUrl}/admin/contacts/${CONTACT}/send`, {
    to: PHONE,
    message: { reactionMessage: { key: { remoteJid: `${PHONE}@s.whatsapp.net`, fromMe: false, id }, text: '👍', senderTimestampMs: Date.now() } },
  });
  await reaction;

  const original = await postJson(`${running.adminUrl}/admin/contacts/${CONTACT}/send`, { to: PHONE, text: 'typo' });
  const edit = waitForEvent(client0, 'messages.upsert', (u) =>
    u.messages.some((m) => m.message?.protocolMessage?.editedMessage?.conversation === 'fixed'),
  );
  await postJson(`${running.adminUrl}/admin/contacts/${CONTACT}/send`, {
    to: PHONE,
    message: {
      protocolMessage: {
        key: { remoteJid: `${PHONE}@s.whatsapp.net`, fromMe: true, id: original.body.id },
        type: 'MESSAGE_EDIT',
        editedMessage: { conversation: 'fixed' },
      },
    },
  });
  await edit;
  assert.deepEqual(phones.errors, []);
});
