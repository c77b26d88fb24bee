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
