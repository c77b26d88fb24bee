import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createCipher, type AuthStateAddress } from '../../src/security/cipher.ts';
import { AppError } from '../../src/errors/app-error.ts';

const address: AuthStateAddress = { sessionId: 'sales-1', category: 'session', keyId: '4915100000001.0' };
const secret = Buffer.from('{"private":"very-secret-signal-key"}');

function assertCorrupt(fn: () => unknown, where: AuthStateAddress = address): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof AppError, `expected AppError, got ${String(error)}`);
    assert.equal(error.code, 'AUTH_STATE_CORRUPT');
    assert.match(error.message, new RegExp(where.sessionId));
    assert.match(error.message, new RegExp(where.category));
    assert.ok(error.message.includes(where.keyId));
    assert.ok(!error.message.includes('very-secret'), 'message must not contain the value');
    return true;
  });
}

test('a sealed value opens back to the same bytes, and sealing twice differs (random IV)', () => {
  const cipher = createCipher(randomBytes(32));
  const a = cipher.encrypt(address, secret);
  const b = cipher.encrypt(address, secret);
  assert.deepEqual(cipher.decrypt(address, a), secret);
  assert.notDeepEqual(a, b);
  assert.equal(a[0], 1, 'version byte');
  assert.equal(a.length, 1 + 12 + 16 + secret.length);
  assert.ok(!a.includes(secret), 'ciphertext does not contain the plaintext');
  assert.deepEqual(cipher.decrypt(address, cipher.encrypt(address, Buffer.alloc(0))), Buffer.alloc(0));
});

test('flipping any byte of version, IV, tag or ciphertext is reported as AUTH_STATE_CORRUPT', () => {
  const cipher = createCipher(randomBytes(32));
  const sealed = cipher.encrypt(address, secret);
  const positions = { version: 0, iv: 5, tag: 1 + 12 + 3, ciphertext: sealed.length - 1 };
  for (const index of Object.values(positions)) {
    const tampered = Buffer.from(sealed);
    tampered[index] = (tampered[index] ?? 0) ^ 0x01;
    assertCorrupt(() => cipher.decrypt(address, tampered));
  }
  assertCorrupt(() => cipher.decrypt(address, sealed.subarray(0, 20)));
  assertCorrupt(() => cipher.decrypt(address, Buffer.concat([sealed, Buffer.of(0)])));
});

test('a value moved to another key, category or session does not decrypt', () => {
  const cipher = createCipher(randomBytes(32));
  const sealed = cipher.encrypt(address, secret);
  const elsewhere: AuthStateAddress[] = [
    { ...address, keyId: '4915100000002.0' },
    { ...address, category: 'sender-key' },
    { ...address, sessionId: 'sales-2' },
    // Field boundaries are part of the binding: shifting a separator does not collide.
    { sessionId: 'sales-1', category: 'session4915100000001', keyId: '0' },
  ];
  for (const where of elsewhere) assertCorrupt(() => cipher.decrypt(where, sealed), where);
});

test('another master key cannot open the value', () => {
  const sealed = createCipher(randomBytes(32)).encrypt(address, secret);
  assertCorrupt(() => createCipher(randomBytes(32)).decrypt(address, sealed));
});

test('a master key of the wrong size is refused', () => {
  assert.throws(() => createCipher(randomBytes(16)), RangeError);
});
