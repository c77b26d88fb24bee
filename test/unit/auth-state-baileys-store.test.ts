import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Curve, proto } from 'baileys';
import type { SignalDataTypeMap } from 'baileys';
import { createCipher } from '../../src/security/cipher.ts';
import { createEncryptedAuthState } from '../../src/sessions/encrypted-auth-state.ts';
import { CREDS_CATEGORY, CREDS_KEY, loadBaileysAuthState } from '../../src/engines/baileys/auth-state.ts';
import { MemoryAuthStateRepository } from '../helpers/memory-auth-state-repository.ts';

function setup(sessionId = 's1') {
  const repo = new MemoryAuthStateRepository();
  const cipher = createCipher(randomBytes(32));
  const port = createEncryptedAuthState(repo, cipher, sessionId);
  return { repo, cipher, port, sessionId };
}

test('fresh creds are saved and load back equal, Buffers intact, never plaintext at rest', async () => {
  const { repo, port } = setup();
  const first = await loadBaileysAuthState(port);
  assert.equal(repo.writes.length, 0, 'loading does not write');
  first.state.creds.me = { id: '4915100000001:7@s.whatsapp.net', name: 'Sales' };
  await first.saveCreds();

  const second = await loadBaileysAuthState(port);
  // JSON has no undefined: fields like pairingCode: undefined come back absent, as with Baileys' file store.
  const definedOnly = Object.fromEntries(Object.entries(first.state.creds).filter(([, value]) => value !== undefined));
  assert.deepEqual(second.state.creds, definedOnly);
  const { noiseKey, signedPreKey, advSecretKey } = second.state.creds;
  assert.ok(Buffer.isBuffer(noiseKey.private) && noiseKey.private.length === 32);
  assert.ok(Buffer.isBuffer(signedPreKey.signature) && signedPreKey.signature.length === 64);

  // Neither a text field nor raw key bytes (or their base64) appear in what the repository holds.
  const raw = repo.rawBytes('s1');
  for (const needle of [advSecretKey, '4915100000001', Buffer.from(noiseKey.private).toString('base64')]) {
    assert.ok(!raw.includes(needle), `stored bytes contain ${needle.slice(0, 6)}…`);
  }
  assert.ok(!raw.includes(Buffer.from(noiseKey.private)));
  const [row] = await repo.dump('s1');
  assert.deepEqual([row?.category, row?.keyId], [CREDS_CATEGORY, CREDS_KEY]);
});

test('every Signal key type round-trips, deletes with null, and app-state keys come back as protobufs', async () => {
  const { port } = setup();
  const { state } = await loadBaileysAuthState(port);
  const data = {
    'pre-key': { '1': Curve.generateKeyPair(), '2': Curve.generateKeyPair() },
    session: { '4915100000002.0': Buffer.from([1, 2, 3, 250]) },
    'sender-key': { 'group@g.us::4915100000002::0': Buffer.from('{"k":1}') },
    'sender-key-memory': { 'group@g.us': { '4915100000002@s.whatsapp.net': true } },
    'app-state-sync-key': { AAAAAQ: { keyData: randomBytes(32), timestamp: 1700000000, fingerprint: { rawId: 7, currentIndex: 1, deviceIndexes: [0, 1] } } },
    'app-state-sync-version': { regular: { version: 3, hash: randomBytes(128), indexValueMap: { 'aW5kZXg=': { valueMac: randomBytes(32) } } } },
    'lid-mapping': { '4915100000002': '123456789012345', '123456789012345_reverse': '4915100000002' },
    'device-list': { '4915100000002': ['0', '3'] },
    tctoken: { '4915100000002@s.whatsapp.net': { token: randomBytes(16), timestamp: '1700000000' } },
    'identity-key': { '4915100000002.0': new Uint8Array(randomBytes(33)) },
  } satisfies { [T in keyof SignalDataTypeMap]: Record<string, SignalDataTypeMap[T]> };
  await state.keys.set(data);

  const reloaded = (await loadBaileysAuthState(port)).state.keys;
  for (const [type, entries] of Object.entries(data) as Array<[keyof SignalDataTypeMap, Record<string, unknown>]>) {
    const got = await reloaded.get(type, [...Object.keys(entries), 'missing']);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(entries).sort(), `${type}: missing ids are left out`);
    for (const [id, value] of Object.entries(entries)) {
      if (type === 'app-state-sync-key') continue;
      // Uint8Arrays come back as Buffers (a Uint8Array subclass): compare bytes.
      const expected = value instanceof Uint8Array ? Buffer.from(value) : value;
      assert.deepEqual(got[id], expected, `${type}/${id}`);
    }
  }
  const { AAAAAQ: syncKey } = await reloaded.get('app-state-sync-key', ['AAAAAQ']);
  assert.ok(syncKey instanceof proto.Message.AppStateSyncKeyData);
  assert.deepEqual(Buffer.from(syncKey.keyData ?? []), data['app-state-sync-key'].AAAAAQ.keyData);
  assert.equal(syncKey.fingerprint?.rawId, 7);

  await reloaded.set({ 'pre-key': { '1': null }, session: { '4915100000002.0': null } });
  assert.deepEqual(Object.keys(await reloaded.get('pre-key', ['1', '2'])), ['2']);
  assert.deepEqual(await reloaded.get('session', ['4915100000002.0']), {});
});

test('one keys.set is exactly one atomic write; a failing write leaves nothing behind', async () => {
  const { repo, port } = setup();
  const { state } = await loadBaileysAuthState(port);
  await state.keys.set({ 'pre-key': { '1': Curve.generateKeyPair(), '2': Curve.generateKeyPair() }, session: { 'a.0': Buffer.from('x') }, 'identity-key': { 'a.0': randomBytes(33) } });
  assert.equal(repo.writes.length, 1);
  assert.equal(repo.writes[0]?.writes.length, 4);

  const before = await repo.dump('s1');
  repo.failNextWrite = new Error('connection lost mid-commit');
  await assert.rejects(
    Promise.resolve(state.keys.set({ session: { 'a.0': Buffer.from('y'), 'b.0': Buffer.from('z') }, 'pre-key': { '1': null } })),
    /connection lost/,
  );
  assert.equal(repo.writes.length, 2, 'the whole set went to the repository in one call');
  assert.deepEqual(await repo.dump('s1'), before, 'nothing of the failed set is visible');

  // The store keeps working after a failure, and an empty set writes nothing.
  await state.keys.set({ session: { 'b.0': Buffer.from('z') } });
  await state.keys.set({});
  assert.equal(repo.writes.length, 3);
  assert.deepEqual((await state.keys.get('session', ['b.0']))['b.0'], Buffer.from('z'));
});

test('writes land in call order: the last saveCreds wins even when fired without awaiting', async () => {
  const { port } = setup();
  const { state, saveCreds } = await loadBaileysAuthState(port);
  const saves: Array<Promise<void>> = [];
  for (let i = 1; i <= 20; i++) {
    state.creds.nextPreKeyId = i;
    saves.push(saveCreds());
  }
  await Promise.all(saves);
  assert.equal((await loadBaileysAuthState(port)).state.creds.nextPreKeyId, 20);
});

test('a tampered creds row stops the load with AUTH_STATE_CORRUPT', async () => {
  const { repo, port } = setup();
  const { saveCreds } = await loadBaileysAuthState(port);
  await saveCreds();
  const [row] = await repo.dump('s1');
  assert.ok(row);
  row.value[row.value.length - 1] = (row.value[row.value.length - 1] ?? 0) ^ 0xff;
  await repo.write('s1', [row]);
  await assert.rejects(loadBaileysAuthState(port), { name: 'AppError', code: 'AUTH_STATE_CORRUPT' });
});

test('a key found missing is not looked up again until this socket writes it', async () => {
  const { repo, port } = setup();
  const { state } = await loadBaileysAuthState(port);
  let reads = 0;
  const get = repo.get.bind(repo);
  repo.get = (...args: Parameters<typeof repo.get>) => {
    reads += 1;
    return get(...args);
  };
  assert.deepEqual(await state.keys.get('tctoken', ['1@lid']), {});
  assert.deepEqual(await state.keys.get('tctoken', ['1@lid']), {});
  assert.equal(reads, 1, 'the second lookup of a missing key does not reach the store');

  const token = { token: Buffer.from([7, 7]), timestamp: '1' };
  await state.keys.set({ tctoken: { '1@lid': token } });
  assert.deepEqual(await state.keys.get('tctoken', ['1@lid', '2@lid']), { '1@lid': token });
  assert.equal(reads, 2);
  await state.keys.set({ tctoken: { '1@lid': null } });
  assert.deepEqual(await state.keys.get('tctoken', ['1@lid', '2@lid']), {});
  assert.equal(reads, 2, 'deleted and known-missing keys are answered without the store');

  // Another socket (a reconnect) starts with no such knowledge and sees what is stored.
  await state.keys.set({ tctoken: { '2@lid': token } });
  const next = await loadBaileysAuthState(port);
  assert.deepEqual(await next.state.keys.get('tctoken', ['2@lid']), { '2@lid': token });
});

test('LID mappings Baileys stores are reported once stored, as phone JID + LID pairs (the reverse entries add nothing)', async () => {
  const { port } = setup();
  const reported: unknown[] = [];
  const { state } = await loadBaileysAuthState(port, { onLidMappings: (pairs) => reported.push(...pairs) });
  // What LIDMappingStore.storeLIDPNMappings writes for one pair.
  await state.keys.set({ 'lid-mapping': { '491701234567': '20000000000001', '20000000000001_reverse': '491701234567' } } as never);
  await state.keys.set({ session: { 'x.0': Buffer.from('s') } } as never);
  assert.deepEqual(reported, [{ lid: '20000000000001@lid', phoneJid: '491701234567@s.whatsapp.net' }]);
  const stored = await state.keys.get('lid-mapping' as never, ['491701234567']);
  assert.equal((stored as Record<string, unknown>)['491701234567'], '20000000000001', 'and stored as Baileys reads it back');
});
