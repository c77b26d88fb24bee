import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createCipher } from '../../src/security/cipher.ts';
import { createEncryptedAuthState } from '../../src/sessions/encrypted-auth-state.ts';
import { exportAuthState, importAuthState } from '../../src/security/auth-state-transfer.ts';
import { loadBaileysAuthState } from '../../src/engines/baileys/auth-state.ts';
import { AppError } from '../../src/errors/app-error.ts';
import { MemoryAuthStateRepository } from '../helpers/memory-auth-state-repository.ts';

async function sourceWithLogin() {
  const repo = new MemoryAuthStateRepository();
  const cipher = createCipher(randomBytes(32));
  const { state, saveCreds } = await loadBaileysAuthState(createEncryptedAuthState(repo, cipher, 'old'));
  state.creds.me = { id: '4915100000001:3@s.whatsapp.net' };
  await saveCreds();
  await state.keys.set({ session: { '4915100000002.0': Buffer.from('ratchet') }, 'lid-mapping': { '4915100000002': '1234' } });
  return { repo, cipher, creds: state.creds };
}

test('an export is JSON, still sealed, and imports into another session id and another database', async () => {
  const { repo, cipher, creds } = await sourceWithLogin();
  const exported = await exportAuthState(repo, cipher, 'old');
  const json = JSON.stringify(exported);
  assert.equal(exported.entries.length, 3);
  assert.ok(!json.includes('4915100000001'), 'values stay encrypted inside the export');

  const target = new MemoryAuthStateRepository();
  await target.write('new', [{ category: 'pre-key', keyId: '99', value: cipher.encrypt({ sessionId: 'new', category: 'pre-key', keyId: '99' }, Buffer.from('x')) }]);
  assert.deepEqual(await importAuthState(target, cipher, 'new', JSON.parse(json)), { entries: 3 });
  assert.equal(target.writes.length, 2, 'one atomic write for the whole import');

  const { state } = await loadBaileysAuthState(createEncryptedAuthState(target, cipher, 'new'));
  assert.equal(state.creds.me?.id, creds.me?.id);
  assert.deepEqual(state.creds.noiseKey, creds.noiseKey);
  assert.deepEqual(await state.keys.get('lid-mapping', ['4915100000002']), { '4915100000002': '1234' });
  assert.deepEqual(await state.keys.get('pre-key', ['99']), {}, 'rows not in the export are removed');
});

test('an export from another master key or an edited export is refused and changes nothing', async () => {
  const { repo, cipher } = await sourceWithLogin();
  const exported = await exportAuthState(repo, cipher, 'old');
  const target = new MemoryAuthStateRepository();
  const otherServer = createCipher(randomBytes(32));
  const edited = structuredClone(exported);
  const first = edited.entries[0];
  assert.ok(first);
  first.keyId = 'other';
  const cases: Array<[unknown, ReturnType<typeof createCipher>]> = [
    [exported, otherServer],
    [edited, cipher],
    [{ ...exported, sessionId: 'someone-else' }, cipher],
    [{ ...exported, format: 'x' }, cipher],
    [{ ...exported, entries: [{ category: 'creds', keyId: 'creds', value: '%%%' }] }, cipher],
    ['not an object', cipher],
  ];
  for (const [input, withCipher] of cases) {
    await assert.rejects(importAuthState(target, withCipher, 'new', input), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'VALIDATION_FAILED');
      return true;
    });
  }
  assert.equal(target.writes.length, 0);
});

test('a corrupt store is not exported', async () => {
  const { repo, cipher } = await sourceWithLogin();
  const [row] = await repo.dump('old');
  assert.ok(row);
  row.value[5] = (row.value[5] ?? 0) ^ 1;
  await repo.write('old', [row]);
  await assert.rejects(exportAuthState(repo, cipher, 'old'), { code: 'AUTH_STATE_CORRUPT' });
});
