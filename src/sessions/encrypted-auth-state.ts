/**
 * The AuthStatePort an engine gets for one session: values are sealed with the master-key cipher
 * before they reach the repository and opened on the way back, so the database only ever holds
 * ciphertext (ARCHITECTURE.md invariant 4). One write() call stays one atomic repository write.
 *
 * Writes and clears are applied one after another in call order, and a get() waits for those
 * called before it. The port outlives the engine's sockets: right after a QR scan WhatsApp asks for
 * a new connection (515), and the new socket reads the creds the old one is still saving — on
 * PostgreSQL that write can take longer than the reconnect, and a read that overtook it would start
 * an unpaired device (observed: a fresh QR after a successful scan).
 */
import type { AuthStatePort } from '../engines/engine.ts';
import type { AuthStateRepository, AuthStateWrite } from '../storage/ports.ts';
import type { AuthStateCipher } from '../security/cipher.ts';

export function createEncryptedAuthState(repo: AuthStateRepository, cipher: AuthStateCipher, sessionId: string): AuthStatePort {
  let settled: Promise<unknown> = Promise.resolve();
  const inOrder = (change: () => Promise<void>): Promise<void> => {
    const run = settled.then(change);
    settled = run.catch(() => undefined);
    return run;
  };

  return {
    async get(category, keyIds) {
      await settled;
      const sealed = await repo.get(sessionId, category, keyIds);
      const opened = new Map<string, Buffer>();
      for (const [keyId, value] of sealed) {
        opened.set(keyId, cipher.decrypt({ sessionId, category, keyId }, value));
      }
      return opened;
    },

    write(writes) {
      if (writes.length === 0) return Promise.resolve();
      // Encrypt everything first: a failure here must not leave part of the batch written.
      const sealed: AuthStateWrite[] = writes.map(({ category, keyId, value }) => ({
        category,
        keyId,
        value: value === null ? null : cipher.encrypt({ sessionId, category, keyId }, value),
      }));
      return inOrder(() => repo.write(sessionId, sealed));
    },

    clear() {
      return inOrder(() => repo.clear(sessionId));
    },
  };
}
