import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createCipher } from '../../src/security/cipher.ts';
import { createSecretBox } from '../../src/webhooks/secret-box.ts';
import { isAppError } from '../../src/errors/app-error.ts';

test('sealed webhook headers open only as headers of their own webhook; clear rows of earlier versions still read', () => {
  const box = createSecretBox(createCipher(randomBytes(32)));
  const sealed = box.sealHeaders('w1', { Authorization: 'Bearer x' });
  assert.doesNotMatch(sealed, /Bearer|Authorization/);
  assert.deepEqual(box.openHeaders('w1', sealed), { Authorization: 'Bearer x' });
  const corrupt = (error: unknown) => isAppError(error) && error.code === 'AUTH_STATE_CORRUPT';
  assert.throws(() => box.openHeaders('w2', sealed), corrupt, 'moved to another webhook');
  assert.throws(() => box.open('w1', sealed), corrupt, 'passed off as the signing secret');
  assert.throws(() => box.openHeaders('w1', box.seal('w1', '{"a":"b"}')), corrupt, 'a sealed secret is not headers');
  assert.deepEqual(box.openHeaders('w1', '{"X-Team":"support"}'), { 'X-Team': 'support' });
});
