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
import type { Fence } from '../domain/cluster.ts';
import { FencedWriteError, type AuthStateRepository, type AuthStateWrite } from '../storage/ports.ts';
import type { AuthStateCipher } from '../security/cipher.ts';

/** The owner's fencing token for every write, and who hears when one is refused. */
export interface FenceSource {
  current(): Fence | undefined;
  refused(): void;
}

/** No token to write with: the session is not (or no longer) this process's. */
const NOT_OWNED: Fence = { holder: '', epoch: -1 };

/**
 * With `fence`, every write and clear carries the owner's token and a stale one is refused by the
 * store (FencedWriteError, `fence.refused()` told); without a token nothing is written at all.
 */
export function createEncryptedAuthState(repo: AuthStateRepository, cipher: AuthStateCipher, sessionId: string, fence?: FenceSource): AuthStatePort {
  let settled: Promise<unknown> = Promise.resolve();
  const inOrder = (change: (token: Fence | undefined) => Promise<void>): Promise<void> => {
    const run = settled.then(async () => {
      if (!fence) return change(undefined);
      const token = fence.current();
      try {
        if (!token) throw new FencedWriteError(sessionId, NOT_OWNED);
        await change(token);
      } catch (error) {
        if (error instanceof FencedWriteError) fence.refused();
        throw error;
      }
    });
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
      return inOrder((token) => repo.write(sessionId, sealed, token));
    },

    clear() {
      return inOrder((token) => repo.clear(sessionId, token));
    },

    flushed() {
      return settled.then(() => undefined);
    },
  };
}
