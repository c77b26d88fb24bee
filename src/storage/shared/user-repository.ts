import type { RefreshTokenRecord, UserRecord, UserRole } from '../../domain/users.ts';
import type { RefreshTokenRepository, UserListQuery, UserPatch, UserRepository } from '../account-ports.ts';
import type { RefreshTokensTable, UsersTable } from './account-tables.ts';
import type { Db } from './database.ts';
import { insertOrConflict } from './errors.ts';
import { toMillis, toMillisOrNull } from './json.ts';
import { storableText } from './text.ts';

function toUser(row: UsersTable): UserRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    email: row.email,
    name: row.name,
    role: row.role as UserRole,
    passwordHash: row.password_hash,
    disabledAt: toMillisOrNull(row.disabled_at),
    createdAt: toMillis(row.created_at),
    updatedAt: toMillis(row.updated_at),
    lastLoginAt: toMillisOrNull(row.last_login_at),
  };
}

export class KyselyUserRepository implements UserRepository {
  constructor(private readonly db: Db) {}

  async create(user: UserRecord): Promise<void> {
    await insertOrConflict(`a user with this id or email`, () =>
      this.db
        .insertInto('users')
        .values({
          id: user.id,
          tenant_id: user.tenantId,
          email: user.email,
          name: user.name === null ? null : storableText(user.name),
          role: user.role,
          password_hash: user.passwordHash,
          disabled_at: user.disabledAt,
          created_at: user.createdAt,
          updated_at: user.updatedAt,
          last_login_at: user.lastLoginAt,
        })
        .execute(),
    );
  }

  async get(id: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  async getByEmail(email: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
    return row && toUser(row);
  }

  async list(query: UserListQuery): Promise<{ items: UserRecord[]; total: number }> {
    let select = this.db.selectFrom('users');
    if (query.tenantId !== undefined) select = select.where('tenant_id', query.tenantId === null ? 'is' : '=', query.tenantId);
    const [rows, count] = await Promise.all([
      select.selectAll().orderBy('created_at').orderBy('id').limit(query.limit).offset(query.offset).execute(),
      select.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toUser), total: Number(count.n) };
  }

  async update(id: string, patch: UserPatch, at: number): Promise<UserRecord | undefined> {
    const values: Partial<UsersTable> = { updated_at: at };
    if (patch.name !== undefined) values.name = patch.name === null ? null : storableText(patch.name);
    if (patch.role !== undefined) values.role = patch.role;
    if (patch.passwordHash !== undefined) values.password_hash = patch.passwordHash;
    if (patch.disabledAt !== undefined) values.disabled_at = patch.disabledAt;
    if (patch.lastLoginAt !== undefined) values.last_login_at = patch.lastLoginAt;
    const result = await this.db.updateTable('users').set(values).where('id', '=', id).executeTakeFirst();
    return result.numUpdatedRows > 0n ? this.get(id) : undefined;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async countByRole(role: UserRole, tenantId: string | null): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('role', '=', role)
      .where('tenant_id', tenantId === null ? 'is' : '=', tenantId)
      .where('disabled_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

function toToken(row: RefreshTokensTable): RefreshTokenRecord {
  return {
    id: row.id,
    userId: row.user_id,
    familyId: row.family_id,
    hash: row.hash,
    createdAt: toMillis(row.created_at),
    expiresAt: toMillis(row.expires_at),
    rotatedAt: toMillisOrNull(row.rotated_at),
    revokedAt: toMillisOrNull(row.revoked_at),
  };
}

export class KyselyRefreshTokenRepository implements RefreshTokenRepository {
  constructor(private readonly db: Db) {}

  async create(token: RefreshTokenRecord): Promise<void> {
    // Names the id only: the hash is a credential.
    await insertOrConflict(`refresh token "${token.id}"`, () =>
      this.db
        .insertInto('refresh_tokens')
        .values({
          id: token.id,
          user_id: token.userId,
          family_id: token.familyId,
          hash: token.hash,
          created_at: token.createdAt,
          expires_at: token.expiresAt,
          rotated_at: token.rotatedAt,
          revoked_at: token.revokedAt,
        })
        .execute(),
    );
  }

  async getByHash(hash: string): Promise<RefreshTokenRecord | undefined> {
    const row = await this.db.selectFrom('refresh_tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
    return row && toToken(row);
  }

  async markRotated(id: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('refresh_tokens')
      .set({ rotated_at: at })
      .where('id', '=', id)
      .where('rotated_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async revokeFamily(familyId: string, at: number): Promise<number> {
    const result = await this.db.updateTable('refresh_tokens').set({ revoked_at: at }).where('family_id', '=', familyId).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async revokeUser(userId: string, at: number): Promise<number> {
    const result = await this.db.updateTable('refresh_tokens').set({ revoked_at: at }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async familyActive(familyId: string, now: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('refresh_tokens')
      .select('id')
      .where('family_id', '=', familyId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async pruneExpiredBefore(timestamp: number): Promise<number> {
    const result = await this.db.deleteFrom('refresh_tokens').where('expires_at', '<', timestamp).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
