/**
 * Initial schema. Append-only: never edit a migration that has shipped; add the next NNNN file.
 * Portable to SQLite and PostgreSQL through the Kysely schema builder; the few type differences
 * come from `columnTypes(dialect)`.
 */
import type { Kysely, Migration } from 'kysely';
import type { Dialect } from '../database.ts';
import { columnTypes } from './column-types.ts';

export function initialSchema(dialect: Dialect): Migration {
  const t = columnTypes(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('tenants')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('max_sessions', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('tenant_id', 'text', (col) => col.references('tenants.id').onDelete('cascade'))
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('scopes', 'text', (col) => col.notNull())
        .addColumn('hash', 'text', (col) => col.notNull().unique())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('last_used_at', 'bigint')
        .execute();
      await db.schema.createIndex('api_keys_tenant_idx').on('api_keys').column('tenant_id').execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('tenant_id', 'text', (col) => col.notNull().references('tenants.id'))
        .addColumn('engine', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('status_reason', 'text')
        .addColumn('desired_state', 'text', (col) => col.notNull())
        .addColumn('config', 'text', (col) => col.notNull())
        .addColumn('me', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute();
      // Tenant listing is ordered by (created_at, id); the index serves filter and order at once.
      await db.schema.createIndex('sessions_tenant_idx').on('sessions').columns(['tenant_id', 'created_at', 'id']).execute();
      await db.schema.createIndex('sessions_status_idx').on('sessions').column('status').execute();
      await db.schema.createIndex('sessions_desired_state_idx').on('sessions').column('desired_state').execute();

      await db.schema
        .createTable('events')
        // Byte order makes text order equal ULID time order whatever the database collation.
        .addColumn('id', 'text', (col) => col.primaryKey().modifyEnd(t.binaryCollation))
        .addColumn('tenant_id', 'text', (col) => col.notNull())
        .addColumn('session_id', 'text')
        .addColumn('type', 'text', (col) => col.notNull())
        .addColumn('timestamp', 'bigint', (col) => col.notNull())
        .addColumn('payload', 'text', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('events_tenant_id_idx').on('events').columns(['tenant_id', 'id']).execute();
      await db.schema.createIndex('events_session_id_idx').on('events').columns(['session_id', 'id']).execute();
      await db.schema.createIndex('events_timestamp_idx').on('events').column('timestamp').execute();

      await db.schema
        .createTable('auth_state')
        .addColumn('session_id', 'text', (col) => col.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('category', 'text', (col) => col.notNull())
        .addColumn('key_id', 'text', (col) => col.notNull())
        .addColumn('value', t.blob, (col) => col.notNull())
        .addPrimaryKeyConstraint('auth_state_pk', ['session_id', 'category', 'key_id'])
        .execute();
    },
  };
}

