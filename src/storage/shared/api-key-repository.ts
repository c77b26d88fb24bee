import type { ApiKeyRecord, KeyScope } from '../../domain/records.ts';
import type { ApiKeyRepository } from '../ports.ts';
import type { ApiKeysTable, Db } from './database.ts';
import { insertOrConflict } from './errors.ts';
import { fromJson, toJson, toMillis, toMillisOrNull } from './json.ts';
import { ReusableQuery } from './reusable-query.ts';
import { storableText } from './text.ts';

function toApiKey(row: ApiKeysTable): ApiKeyRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    scopes: fromJson<KeyScope[]>(row.scopes),
    hash: row.hash,
    createdAt: toMillis(row.created_at),
    revokedAt: toMillisOrNull(row.revoked_at),
    lastUsedAt: toMillisOrNull(row.last_used_at),
  };
}

const keyByHash = new ReusableQuery(['hash'], (db: Db, p: { hash: string }) => db.selectFrom('api_keys').selectAll().where('hash', '=', p.hash));

export class KyselyApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly db: Db) {}

  async create(key: ApiKeyRecord): Promise<void> {
    // The message names the id only: the hash is a credential and must not reach logs.
    await insertOrConflict(`API key "${key.id}" (or its hash)`, () =>
      this.db
        .insertInto('api_keys')
        .values({
          id: key.id,
          tenant_id: key.tenantId,
          name: storableText(key.name),
          scopes: toJson(key.scopes),
          hash: key.hash,
          created_at: key.createdAt,
          revoked_at: key.revokedAt,
          last_used_at: key.lastUsedAt,
        })
        .execute(),
    );
  }

  async getByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const row = await keyByHash.executeTakeFirst(this.db, { hash });
    return row && toApiKey(row);
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toApiKey(row);
  }

  async listByTenant(tenantId: string | null): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('tenant_id', tenantId === null ? 'is' : '=', tenantId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toApiKey);
  }

  /** True when the key exists. Revoking twice keeps the first revocation time. */
  async revoke(id: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(at)) }))
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async touch(id: string, at: number): Promise<void> {
    await this.db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}
