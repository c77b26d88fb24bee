import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { proto, type WAMessage, type WASocket } from 'baileys';
import { startSim, type RunningSim } from '../../sim/index.ts';
import { pinSimRoot } from '../helpers/sim-trust-preload.ts';
import { closeClient, connectClient, getJson, pairClient, type PairedClient, postJson, waitForEvent, waitForOpen } from './client.ts';

let sim: RunningSim;
let alice: PairedClient;
let bob: PairedClient;
const ALICE = '15550002001';
const BOB = '15550002002';

before(async () => {
  sim = await startSim();
  pinSimRoot(sim.rootPublicKey);
  [alice, bob] = await Promise.all([pairClient(sim, ALICE, 'Alice'), pairClient(sim, BOB, 'Bob')]);
});
after(async () => {
  await Promise.all([closeClient(alice?.sock), closeClient(bob?.sock)]);
  await sim.stop();
});

/** Next incoming (not fromMe) message matching `match`, from messages.upsert. */
function nextIncoming(sock: WASocket, match: (m: WAMessage) => boolean, ms = 10_000): Promise<WAMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (sock.ev.off('messages.upsert', onUpsert), reject(new Error('no message'))), ms);
    const onUpsert = ({ messages }: { messages: WAMessage[] }) => {
      const found = messages.find((m) => !m.key.fromMe && match(m));
      if (!found) return;
      clearTimeout(timer);
      sock.ev.off('messages.upsert', onUpsert);
      resolve(found);
    };
    sock.ev.on('messages.upsert', onUpsert);
  });
}

/**
 * Resolves when the sender sees `status` (or higher) for message `id`: from messages.update,
 * or merged into messages.upsert (on loopback Baileys can fold an early receipt into its own
 * message buffer).
 */
function statusReached(sock: WASocket, id: string, status: number, ms = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const done = (value: number) => {
      clearTimeout(timer);
      sock.ev.off('messages.update', onUpdate);
      sock.ev.off('messages.upsert', onUpsert);
      resolve(value);
    };
    const timer = setTimeout(() => {
      sock.ev.off('messages.update', onUpdate);
      sock.ev.off('messages.upsert', onUpsert);
      reject(new Error(`status ${status} not reached for ${id}`));
    }, ms);
    const onUpdate = (updates: Array<{ key: { id?: string | null }; update: { status?: number | null } }>) => {
      const hit = updates.find((u) => u.key.id === id && (u.update.status ?? 0) >= status);
      if (hit) done(hit.update.status!);
    };
    const onUpsert = ({ messages }: { messages: WAMessage[] }) => {
      const hit = messages.find((m) => m.key.id === id && (m.status ?? 0) >= status);
      if (hit) done(hit.status!);
    };
    sock.ev.on('messages.update', onUpdate);
    sock.ev.on('messages.upsert', onUpsert);
  });
}

const textOf = (m: WAMessage) => m.message?.conversation ?? m.message?.extendedTextMessage?.text ?? undefined;
const DELIVERED = proto.WebMessageInfo.Status.DELIVERY_ACK;
const READ = proto.WebMessageInfo.Status.READ;

test('text Alice → Bob arrives, with delivered then read receipts back to Alice', async () => {
  const incoming = nextIncoming(bob.sock, (m) => textOf(m) === 'hello bob');
  const sent = await alice.sock.sendMessage(`${BOB}@s.whatsapp.net`, { text: 'hello bob' });
  const delivered = statusReached(alice.sock, sent!.key.id!, DELIVERED);
  const got = await incoming;
  assert.equal(textOf(got), 'hello bob');
  assert.ok(await delivered >= DELIVERED);
  const read = statusReached(alice.sock, sent!.key.id!, READ);
  await bob.sock.readMessages([got.key]);
  assert.equal(await read, READ);
});

test('text Bob → Alice (reply) arrives', async () => {
  const incoming = nextIncoming(alice.sock, (m) => textOf(m) === 'hi alice');
  await bob.sock.sendMessage(`${ALICE}@s.whatsapp.net`, { text: 'hi alice' });
  const got = await incoming;
  assert.equal(got.key.remoteJid?.split('@')[0]?.split(':')[0], BOB);
});

test('offline queue: messages to a disconnected device arrive on reconnect', async () => {
  await closeClient(bob.sock);
  await alice.sock.sendMessage(`${BOB}@s.whatsapp.net`, { text: 'while you were away' });
  const stats = await getJson(`${sim.adminUrl}/admin/stats`);
  assert.ok(stats.offlineQueued >= 1);
  bob.sock = connectClient(sim.wsUrl, bob.auth);
  const incoming = nextIncoming(bob.sock, (m) => textOf(m) === 'while you were away');
  await waitForOpen(bob.sock);
  await incoming;
});

test('ack-error fault: the next send is nacked and reported as an error', async () => {
  const res = await postJson(`${sim.adminUrl}/admin/faults`, { phone: ALICE, device: alice.device, fault: 'ack-error', code: 479 });
  assert.equal(res.status, 200);
  const messageId = `3EB0${randomBytes(8).toString('hex').toUpperCase()}`;
  // ERROR is 0, so wait for that exact status (update, or merged into the buffered upsert).
  const errored = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no error status')), 10_000);
    const hit = () => (clearTimeout(timer), resolve());
    alice.sock.ev.on('messages.update', (updates) => {
      if (updates.some((u) => u.key.id === messageId && u.update.status === proto.WebMessageInfo.Status.ERROR)) hit();
    });
    alice.sock.ev.on('messages.upsert', ({ messages }) => {
      if (messages.some((m) => m.key.id === messageId && m.status === proto.WebMessageInfo.Status.ERROR)) hit();
    });
  });
  await alice.sock.sendMessage(`${BOB}@s.whatsapp.net`, { text: 'this one fails' }, { messageId });
  await errored;
});

test('reaction, edit and revoke are relayed as ordinary encrypted messages', async () => {
  const original = await alice.sock.sendMessage(`${BOB}@s.whatsapp.net`, { text: 'react to me' });
  const reaction = nextIncoming(alice.sock, (m) => m.message?.reactionMessage?.text === '👍');
  await bob.sock.sendMessage(`${ALICE}@s.whatsapp.net`, { react: { text: '👍', key: original!.key } });
  assert.equal((await reaction).message?.reactionMessage?.key?.id, original!.key.id);
  const edit = nextIncoming(bob.sock, (m) => !!m.message?.protocolMessage?.editedMessage || !!m.message?.editedMessage);
  await alice.sock.sendMessage(`${BOB}@s.whatsapp.net`, { text: 'edited text', edit: original!.key });
  assert.ok(await edit);
  const revoke = nextIncoming(bob.sock, (m) => m.message?.protocolMessage?.type === proto.Message.ProtocolMessage.Type.REVOKE);
  await alice.sock.sendMessage(`${BOB}@s.whatsapp.net`, { delete: original!.key });
  assert.equal((await revoke).message?.protocolMessage?.key?.id, original!.key.id);
});

test('presence subscription and typing (chatstate) reach the other client', async () => {
  const online = waitForEvent(alice.sock, 'presence.update', (u) => Object.values(u.presences).some((p) => p.lastKnownPresence === 'available'));
  await alice.sock.presenceSubscribe(`${BOB}@s.whatsapp.net`);
  // Baileys sends available/unavailable only once it knows its push name (normally from app state).
  bob.auth.creds.me!.name = 'Bob';
  await bob.sock.sendPresenceUpdate('available');
  await online;
  const typing = waitForEvent(alice.sock, 'presence.update', (u) => Object.values(u.presences).some((p) => p.lastKnownPresence === 'composing'));
  await bob.sock.sendPresenceUpdate('composing', `${ALICE}@s.whatsapp.net`);
  await typing;
});

test('onWhatsApp: known numbers exist, unknown ones do not', async () => {
  const result = await alice.sock.onWhatsApp(BOB, '15559990000');
  assert.deepEqual(result?.map((r) => [r.jid, r.exists]), [[`${BOB}@s.whatsapp.net`, true]]);
});

test('profile picture: set (raw IQ) then get through profilePictureUrl', async () => {
  await assert.rejects(alice.sock.profilePictureUrl(`${BOB}@s.whatsapp.net`, 'image'));
  await bob.sock.query({
    tag: 'iq',
    attrs: { to: 's.whatsapp.net', type: 'set', xmlns: 'w:profile:picture' },
    content: [{ tag: 'picture', attrs: { type: 'image' }, content: Buffer.from('fake-jpeg-bytes') }],
  });
  const url = await alice.sock.profilePictureUrl(`${BOB}@s.whatsapp.net`, 'image');
  assert.match(url ?? '', /^https:\/\//);
});

test('virtual contact (simulated phone, no client): sends to Alice and reads what Alice sends', async () => {
  const created = await postJson(`${sim.adminUrl}/admin/contacts`, { phone: '15550002999', name: 'Vera' });
  assert.equal(created.status, 201);
  const incoming = nextIncoming(alice.sock, (m) => textOf(m) === 'from a virtual phone');
  const sent = await postJson(`${sim.adminUrl}/admin/contacts/15550002999/send`, { to: ALICE, text: 'from a virtual phone' });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  await incoming;
  await alice.sock.sendMessage('15550002999@s.whatsapp.net', { text: 'hello vera' });
  const deadline = Date.now() + 5_000;
  let inbox: any[] = [];
  const isHello = (e: any) => (e.message?.conversation ?? e.message?.extendedTextMessage?.text) === 'hello vera';
  while (Date.now() < deadline) {
    inbox = await getJson(`${sim.adminUrl}/admin/contacts/15550002999/inbox`);
    if (inbox.some(isHello)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(inbox.some(isHello), JSON.stringify(inbox));
});

test('retry receipt: Bob loses his session with Alice, asks for a retry, Alice re-sends and Bob decrypts', async () => {
  // Warm the session so the next message is a plain `msg` (needs the lost session to decrypt).
  const warm = nextIncoming(bob.sock, (m) => textOf(m) === 'warm up');
  await alice.sock.sendMessage(`${BOB}@s.whatsapp.net`, { text: 'warm up' });
  await warm;
  const aliceLidUser = alice.lid;
  for (const key of [...bob.auth.data.keys()]) {
    if (key.startsWith(`session:${aliceLidUser}`) || key.startsWith(`session:${ALICE}`)) bob.auth.data.delete(key);
  }
  const incoming = nextIncoming(bob.sock, (m) => textOf(m) === 'after retry', 15_000);
  await alice.sock.sendMessage(`${BOB}@s.whatsapp.net`, { text: 'after retry' });
  await incoming;
});

test('per-device latency fault delays frames to that device only', async () => {
  await postJson(`${sim.adminUrl}/admin/faults`, { phone: BOB, device: bob.device, fault: 'latency', latencyMs: 300 });
  const started = Date.now();
  const incoming = nextIncoming(bob.sock, (m) => textOf(m) === 'slow lane');
  await alice.sock.sendMessage(`${BOB}@s.whatsapp.net`, { text: 'slow lane' });
  await incoming;
  assert.ok(Date.now() - started >= 300, `arrived after ${Date.now() - started} ms`);
  await postJson(`${sim.adminUrl}/admin/faults`, { phone: BOB, device: bob.device, fault: 'clear' });
});

test('retry receipt to a virtual contact: its phone re-encrypts and Alice decrypts', async () => {
  const vera = await getJson(`${sim.adminUrl}/admin/accounts/15550002999`);
  const first = nextIncoming(alice.sock, (m) => textOf(m) === 'vera warm up');
  await postJson(`${sim.adminUrl}/admin/contacts/15550002999/send`, { to: ALICE, text: 'vera warm up' });
  await first;
  for (const key of [...alice.auth.data.keys()]) if (key.startsWith(`session:${vera.lid}`)) alice.auth.data.delete(key);
  const incoming = nextIncoming(alice.sock, (m) => textOf(m) === 'vera after retry', 15_000);
  await postJson(`${sim.adminUrl}/admin/contacts/15550002999/send`, { to: ALICE, text: 'vera after retry' });
  await incoming;
});

test('unacked stanzas are redelivered: a device dropped with a message in flight gets it on reconnect, once', async () => {
  await postJson(`${sim.adminUrl}/admin/faults`, { phone: BOB, device: bob.device, fault: 'latency', latencyMs: 400 });
  const relayedBefore = (await getJson(`${sim.adminUrl}/admin/stats`)).messagesRelayed;
  await alice.sock.sendMessage(`${BOB}@s.whatsapp.net`, { text: 'in flight when dropped' });
  while ((await getJson(`${sim.adminUrl}/admin/stats`)).messagesRelayed === relayedBefore) await new Promise((r) => setTimeout(r, 10));
  const dropped = waitForEvent(bob.sock, 'connection.update', (u) => u.connection === 'close');
  await postJson(`${sim.adminUrl}/admin/faults`, { phone: BOB, device: bob.device, fault: 'drop' });
  await dropped;
  await postJson(`${sim.adminUrl}/admin/faults`, { phone: BOB, device: bob.device, fault: 'clear' });
  bob.sock = connectClient(sim.wsUrl, bob.auth);
  let seen = 0;
  bob.sock.ev.on('messages.upsert', ({ messages }) => (seen += messages.filter((m) => textOf(m) === 'in flight when dropped').length));
  const incoming = nextIncoming(bob.sock, (m) => textOf(m) === 'in flight when dropped');
  await waitForOpen(bob.sock);
  await incoming;
  // A clean reconnect after the client acked it must not bring it back.
  await closeClient(bob.sock);
  bob.sock = connectClient(sim.wsUrl, bob.auth);
  bob.sock.ev.on('messages.upsert', ({ messages }) => (seen += messages.filter((m) => textOf(m) === 'in flight when dropped').length));
  await waitForOpen(bob.sock);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(seen, 1);
  // Every stanza delivered so far was acked by the clients (nothing would be redelivered).
  const { unacked } = await getJson(`${sim.adminUrl}/admin/stats`);
  assert.equal(unacked, 0, `unacked: ${unacked}`);
});
