/**
 * In-memory AuthStateRepository for unit tests. Writes are all-or-nothing like the real adapters;
 * `failNextWrite` simulates a crash mid-batch, and `writes` records every batch for assertions.
 */
import type { AuthStateRepository, AuthStateWrite } from '../../src/storage/ports.ts';

export class MemoryAuthStateRepository implements AuthStateRepository {
  /** sessionId → "category\u0000keyId" → stored (sealed) bytes. */
  readonly rows = new Map<string, Map<string, { category: string; keyId: string; value: Buffer }>>();
  /** Every write() call, in order, as received (also the failed ones). */
  readonly writes: Array<{ sessionId: string; writes: AuthStateWrite[] }> = [];
  failNextWrite: Error | undefined;

  private session(sessionId: string) {
    let rows = this.rows.get(sessionId);
    if (!rows) this.rows.set(sessionId, (rows = new Map()));
    return rows;
  }

  async get(sessionId: string, category: string, keyIds: string[]): Promise<Map<string, Buffer>> {
    const rows = this.session(sessionId);
    const found = new Map<string, Buffer>();
    for (const keyId of keyIds) {
      const row = rows.get(`${category}\u0000${keyId}`);
      if (row) found.set(keyId, Buffer.from(row.value));
    }
    return found;
  }

  async write(sessionId: string, writes: AuthStateWrite[]): Promise<void> {
    this.writes.push({ sessionId, writes });
    const failure = this.failNextWrite;
    if (failure) {
      this.failNextWrite = undefined;
      throw failure;
    }
    // Build the next state aside and swap it in: nothing of a failed batch is visible.
    const next = new Map(this.session(sessionId));
    for (const { category, keyId, value } of writes) {
      const key = `${category}\u0000${keyId}`;
      if (value === null) next.delete(key);
      else next.set(key, { category, keyId, value: Buffer.from(value) });
    }
    this.rows.set(sessionId, next);
  }

  async clear(sessionId: string): Promise<void> {
    this.rows.delete(sessionId);
  }

  async dump(sessionId: string): Promise<Array<{ category: string; keyId: string; value: Buffer }>> {
    return [...this.session(sessionId).values()].map((row) => ({ ...row, value: Buffer.from(row.value) }));
  }

  /** All stored bytes of a session, concatenated: for "no plaintext at rest" assertions. */
  rawBytes(sessionId: string): Buffer {
    return Buffer.concat([...this.session(sessionId).values()].map((row) => row.value));
  }
}
