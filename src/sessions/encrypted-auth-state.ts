/**
 * The AuthStatePort an engine gets for one session: values are sealed with the master-key cipher
 * before they reach the repository and opened on the way back, so the database only ever holds
 * ciphertext (ARCHITECTURE.md invariant 4). One write() call stays one atomic repository write.
 */
import type { AuthStatePort } from '../engines/engine.ts';
import type { AuthStateRepository, AuthStateWrite } from '../storage/ports.ts';
import type { AuthStateCipher } from '../security/cipher.ts';

export function createEncryptedAuthState(repo: AuthStateRepository, cipher: AuthStateCipher, sessionId: string): AuthStatePort {
  return {
    async get(category, keyIds) {
      const sealed = await repo.get(sessionId, category, keyIds);
      const opened = new Map<string, Buffer>();
      for (const [keyId, value] of sealed) {
        opened.set(keyId, cipher.decrypt({ sessionId, category, keyId }, value));
      }
      return opened;
    },

    async write(writes) {
      if (writes.length === 0) return;
      // Encrypt everything first: a failure here must not leave part of the batch written.
      const sealed: AuthStateWrite[] = writes.map(({ category, keyId, value }) => ({
        category,
        keyId,
        value: value === null ? null : cipher.encrypt({ sessionId, category, keyId }, value),
      }));
      await repo.write(sessionId, sealed);
    },

    clear() {
      return repo.clear(sessionId);
    },
  };
}
