/**
 * Baileys' real Signal implementation (libsignal via makeLibSignalRepository) running on auth states
 * backed by the encrypted store: a session is established, messages flow both ways, and both sides
 * keep working after being reloaded from the store (a process restart).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { addTransactionCapability, generateSignalPubKey, getNextPreKeys, makeCacheableSignalKeyStore } from 'baileys';
import type { AuthenticationState } from 'baileys';
import { makeLibSignalRepository } from 'baileys/lib/Signal/libsignal.js';
import { createCipher } from '../../src/security/cipher.ts';
import { createEncryptedAuthState } from '../../src/sessions/encrypted-auth-state.ts';
import { loadBaileysAuthState } from '../../src/engines/baileys/auth-state.ts';
import { MemoryAuthStateRepository } from '../helpers/memory-auth-state-repository.ts';

const ALICE = '4915100000001@s.whatsapp.net';
const BOB = '4915100000002@s.whatsapp.net';
const logger = pino({ level: 'silent' });

/** What makeWASocket does with authState.keys, optionally behind the cache the engine should add. */
function signalRepository(state: AuthenticationState, cached: boolean) {
  const store = cached ? makeCacheableSignalKeyStore(state.keys, logger) : state.keys;
  const keys = addTransactionCapability(store, logger, { maxCommitRetries: 1, delayBetweenTriesMs: 0 });
  return makeLibSignalRepository({ creds: state.creds, keys }, logger);
}

test('two Baileys Signal repositories on the encrypted store exchange messages, also after a reload', async () => {
  const repo = new MemoryAuthStateRepository();
  const cipher = createCipher(randomBytes(32));
  const alicePort = createEncryptedAuthState(repo, cipher, 'alice');
  const bobPort = createEncryptedAuthState(repo, cipher, 'bob');
  const alice = await loadBaileysAuthState(alicePort);
  const bob = await loadBaileysAuthState(bobPort);
  // Fresh creds live only in memory until saved (the socket saves them on 'creds.update').
  await alice.saveCreds();

  // Bob publishes a pre-key bundle (what the socket uploads to the server).
  const { update, preKeys } = await getNextPreKeys(bob.state, 5);
  Object.assign(bob.state.creds, update);
  await bob.saveCreds();
  const preKey = preKeys[1];
  assert.ok(preKey, 'pre-key 1 readable from the store');

  const aliceSignal = signalRepository(alice.state, false);
  const bobSignal = signalRepository(bob.state, true);
  const { creds } = bob.state;
  await aliceSignal.injectE2ESession({
    jid: BOB,
    session: {
      registrationId: creds.registrationId,
      identityKey: generateSignalPubKey(creds.signedIdentityKey.public),
      signedPreKey: { keyId: creds.signedPreKey.keyId, publicKey: generateSignalPubKey(creds.signedPreKey.keyPair.public), signature: creds.signedPreKey.signature },
      preKey: { keyId: 1, publicKey: generateSignalPubKey(preKey.public) },
    },
  });

  const hello = await aliceSignal.encryptMessage({ jid: BOB, data: Buffer.from('hello bob') });
  assert.equal(hello.type, 'pkmsg');
  assert.equal(Buffer.from(await bobSignal.decryptMessage({ jid: ALICE, ...hello })).toString(), 'hello bob');
  assert.equal(Object.keys(await bob.state.keys.get('pre-key', ['1'])).length, 0, 'the used one-time pre-key was deleted');

  const reply = await bobSignal.encryptMessage({ jid: ALICE, data: Buffer.from('hi alice') });
  assert.equal(Buffer.from(await aliceSignal.decryptMessage({ jid: BOB, ...reply })).toString(), 'hi alice');

  // One encrypt (ratchet step inside keys.transaction) = one atomic repository write.
  const writesBefore = repo.writes.length;
  const second = await aliceSignal.encryptMessage({ jid: BOB, data: Buffer.from('second') });
  assert.equal(second.type, 'msg');
  assert.equal(repo.writes.length - writesBefore, 1);
  assert.equal(Buffer.from(await bobSignal.decryptMessage({ jid: ALICE, ...second })).toString(), 'second');

  // Restart: both sides rebuilt from the encrypted rows only.
  const aliceAgain = signalRepository((await loadBaileysAuthState(alicePort)).state, true);
  const bobAgain = signalRepository((await loadBaileysAuthState(bobPort)).state, false);
  const third = await aliceAgain.encryptMessage({ jid: BOB, data: Buffer.from('after restart') });
  assert.equal(Buffer.from(await bobAgain.decryptMessage({ jid: ALICE, ...third })).toString(), 'after restart');
  const back = await bobAgain.encryptMessage({ jid: ALICE, data: Buffer.from('still here') });
  assert.equal(Buffer.from(await aliceAgain.decryptMessage({ jid: BOB, ...back })).toString(), 'still here');

  // Signal session rows exist and are ciphertext only.
  assert.ok((await repo.dump('alice')).some((row) => row.category === 'session'));
  assert.ok(!repo.rawBytes('bob').includes('"type":"Buffer"'));
  assert.ok(!repo.rawBytes('alice').includes(Buffer.from(alice.state.creds.signedIdentityKey.private)));
});

test('auth state sealed under another master key refuses to load (AUTH_STATE_CORRUPT), never yields garbage keys', async () => {
  const repo = new MemoryAuthStateRepository();
  const port = createEncryptedAuthState(repo, createCipher(randomBytes(32)), 'bob');
  const bob = await loadBaileysAuthState(port);
  await bob.saveCreds();
  const wrongKey = createEncryptedAuthState(repo, createCipher(randomBytes(32)), 'bob');
  await assert.rejects(loadBaileysAuthState(wrongKey), { code: 'AUTH_STATE_CORRUPT' });
});

test("Baileys' socket wrapper: a transaction commits as one write; outside one, a set splits per type", async () => {
  const repo = new MemoryAuthStateRepository();
  const { state } = await loadBaileysAuthState(createEncryptedAuthState(repo, createCipher(randomBytes(32)), 's'));
  const keys = addTransactionCapability(state.keys, logger, { maxCommitRetries: 1, delayBetweenTriesMs: 0 });
  const twoTypes = () => ({ session: { 'a.0': randomBytes(8) }, 'identity-key': { 'a.0': randomBytes(33) } });

  await keys.transaction(async () => {
    await keys.set(twoTypes());
    await keys.set({ 'device-list': { a: ['0'] } });
  }, 'a');
  assert.equal(repo.writes.length, 1, 'everything set inside one transaction is one atomic write');

  await keys.set(twoTypes());
  assert.equal(repo.writes.length, 3, 'outside a transaction Baileys writes each type separately');
});

test('a tampered Signal session row: Baileys swallows it as "no session", onCorruptKey still reports it', async () => {
  const repo = new MemoryAuthStateRepository();
  const cipher = createCipher(randomBytes(32));
  const alice = await loadBaileysAuthState(createEncryptedAuthState(repo, cipher, 'alice'));
  const reported: Array<{ code: string; details: unknown }> = [];
  const bob = await loadBaileysAuthState(createEncryptedAuthState(repo, cipher, 'bob'), {
    onCorruptKey: (error) => reported.push({ code: error.code, details: error.details }),
  });
  const { update, preKeys } = await getNextPreKeys(bob.state, 1);
  Object.assign(bob.state.creds, update);
  const { creds } = bob.state;
  const aliceSignal = signalRepository(alice.state, false);
  const bobSignal = signalRepository(bob.state, false);
  await aliceSignal.injectE2ESession({
    jid: BOB,
    session: {
      registrationId: creds.registrationId,
      identityKey: generateSignalPubKey(creds.signedIdentityKey.public),
      signedPreKey: { keyId: creds.signedPreKey.keyId, publicKey: generateSignalPubKey(creds.signedPreKey.keyPair.public), signature: creds.signedPreKey.signature },
      preKey: { keyId: 1, publicKey: generateSignalPubKey(preKeys[1]?.public ?? Buffer.alloc(0)) },
    },
  });
  await bobSignal.decryptMessage({ jid: ALICE, ...(await aliceSignal.encryptMessage({ jid: BOB, data: Buffer.from('one') })) });
  await aliceSignal.decryptMessage({ jid: BOB, ...(await bobSignal.encryptMessage({ jid: ALICE, data: Buffer.from('ack') })) });
  const next = await aliceSignal.encryptMessage({ jid: BOB, data: Buffer.from('two') });
  assert.equal(next.type, 'msg');

  const row = (await repo.dump('bob')).find((r) => r.category === 'session');
  assert.ok(row);
  row.value[row.value.length - 1] = (row.value[row.value.length - 1] ?? 0) ^ 1;
  await repo.write('bob', [row]);

  await assert.rejects(bobSignal.decryptMessage({ jid: ALICE, ...next }), /No session record/);
  assert.ok(reported.length >= 1);
  assert.deepEqual(reported[0], { code: 'AUTH_STATE_CORRUPT', details: { sessionId: 'bob', category: 'session', keyId: row.keyId } });
});
