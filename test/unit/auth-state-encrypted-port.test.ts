import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createCipher } from '../../src/security/cipher.ts';
import { createEncryptedAuthState } from '../../src/sessions/encrypted-auth-state.ts';
import { AppError } from '../../src/errors/app-error.ts';
import { MemoryAuthStateRepository } from '../helpers/memory-auth-state-repository.ts';

test('values are sealed at rest, opened on read, deleted with null, per session', async () => {
  const repo = new MemoryAuthStateRepository();
  const cipher = createCipher(randomBytes(32));
  const a = createEncryptedAuthState(repo, cipher, 'a');
  const b = createEncryptedAuthState(repo, cipher, 'b');
  await a.write([
    { category: 'pre-key', keyId: '1', value: Buffer.from('plaintext-one') },
    { category: 'pre-key', keyId: '2', value: Buffer.from('plaintext-two') },
  ]);
  assert.equal(repo.writes.length, 1, 'one write call stays one repository write');
  assert.ok(!repo.rawBytes('a').includes('plaintext'), 'the repository only holds ciphertext');

  const got = await a.get('pre-key', ['1', '2', '3']);
  assert.deepEqual([...got.keys()].sort(), ['1', '2']);
  assert.equal(got.get('1')?.toString(), 'plaintext-one');
  assert.equal((await b.get('pre-key', ['1'])).size, 0, 'another session sees nothing');

  await a.write([{ category: 'pre-key', keyId: '1', value: null }]);
  assert.deepEqual([...(await a.get('pre-key', ['1', '2'])).keys()], ['2']);
  await a.clear();
  assert.equal((await a.get('pre-key', ['2'])).size, 0);
});

test('a row copied into another session fails with AUTH_STATE_CORRUPT instead of being used', async () => {
  const repo = new MemoryAuthStateRepository();
  const cipher = createCipher(randomBytes(32));
  await createEncryptedAuthState(repo, cipher, 'a').write([{ category: 'session', keyId: 'x.0', value: Buffer.from('s') }]);
  const [row] = await repo.dump('a');
  assert.ok(row);
  await repo.write('b', [{ category: row.category, keyId: row.keyId, value: row.value }]);
  await assert.rejects(createEncryptedAuthState(repo, cipher, 'b').get('session', ['x.0']), (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'AUTH_STATE_CORRUPT');
    assert.match(error.message, /session "b".*category "session".*key "x\.0"/);
    return true;
  });
});

test('a failed repository write leaves nothing of the batch', async () => {
  const repo = new MemoryAuthStateRepository();
  const port = createEncryptedAuthState(repo, createCipher(randomBytes(32)), 'a');
  repo.failNextWrite = new Error('disk full');
  await assert.rejects(port.write([
    { category: 'session', keyId: '1', value: Buffer.from('x') },
    { category: 'identity-key', keyId: '1', value: Buffer.from('y') },
  ]), /disk full/);
  assert.equal((await repo.dump('a')).length, 0);
});

test('a read waits for the writes called before it, and writes land in call order, however slow the store', async () => {
  const repo = new MemoryAuthStateRepository();
  const write = repo.write.bind(repo);
  const delays = [40, 0];
  repo.write = async (...args: Parameters<typeof repo.write>) => {
    await new Promise((resolve) => setTimeout(resolve, delays.shift() ?? 0));
    return write(...args);
  };
  const port = createEncryptedAuthState(repo, createCipher(randomBytes(32)), 's1');
  const first = port.write([{ category: 'creds', keyId: 'creds', value: Buffer.from('unpaired') }]);
  const second = port.write([{ category: 'creds', keyId: 'creds', value: Buffer.from('paired') }]);
  // Called before either write finished, as a reconnecting socket does right after a scan.
  const read = await port.get('creds', ['creds']);
  assert.equal(read.get('creds')?.toString(), 'paired');
  await Promise.all([first, second]);
  assert.equal((await port.get('creds', ['creds'])).get('creds')?.toString(), 'paired', 'the slower first write did not land last');

  const clear = repo.clear.bind(repo);
  repo.clear = async (...args: Parameters<typeof repo.clear>) => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    return clear(...args);
  };
  const cleared = port.clear();
  void port.write([{ category: 'pre-key', keyId: '1', value: Buffer.from('k') }]);
  await cleared;
  assert.deepEqual([...(await port.get('pre-key', ['1'])).keys()], ['1'], 'a write after clear() is not wiped by it');
});
