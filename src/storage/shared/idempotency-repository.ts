import type { IdempotencyRecord, IdempotencyRepository } from '../outbound-ports.ts';
import type { Db } from './database.ts';
import { insertOrConflict } from './errors.ts';
import { toMillis } from './json.ts';

export class KyselyIdempotencyRepository implements IdempotencyRepository {
  constructor(private readonly db: Db) {}

  async create(record: IdempotencyRecord): Promise<void> {
    await insertOrConflict('this idempotency key', () =>
      this.db
        .insertInto('idempotency_keys')
        .values({
          scope: record.scope,
          key: record.key,
          request_hash: record.requestHash,
          session_id: record.sessionId,
          result_id: record.resultId,
          created_at: record.createdAt,
        })
        .execute(),
    );
  }

  async get(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.db.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
    return row && { scope: row.scope, key: row.key, requestHash: row.request_hash, sessionId: row.session_id, resultId: row.result_id, createdAt: toMillis(row.created_at) };
  }

  async delete(scope: string, key: string): Promise<void> {
    await this.db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key).execute();
  }

  async pruneBefore(timestamp: number): Promise<number> {
    const result = await this.db.deleteFrom('idempotency_keys').where('created_at', '<', timestamp).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
