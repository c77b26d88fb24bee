/** Backup and restore of the whole store, whichever driver the configuration selects. */
import { join } from 'node:path';
import { isPostgresUrl, SQLITE_FILE_NAME, type CreateStorageOptions } from './create-storage.ts';
import { backupPostgres, restorePostgres } from './postgres/pg-backup.ts';
import { backupSqliteFile, inspectSqliteBackup, restoreSqliteFile, type SqliteBackupInfo } from './sqlite/sqlite-backup.ts';

export type { SqliteBackupInfo };

export function sqliteFileOf(options: Pick<CreateStorageOptions, 'dataDir'>): string {
  return join(options.dataDir, SQLITE_FILE_NAME);
}

/** PostgreSQL: the configured schema, else `public` (the default search_path). */
function schemaOf(options: CreateStorageOptions): string {
  return options.schema ?? 'public';
}

export async function backupStore(options: CreateStorageOptions, out: string): Promise<{ driver: 'sqlite' | 'postgres'; detail: string }> {
  if (isPostgresUrl(options.databaseUrl)) {
    await backupPostgres(options.databaseUrl, schemaOf(options), out);
    return { driver: 'postgres', detail: `schema ${schemaOf(options)} (pg_dump custom format)` };
  }
  const { pages } = await backupSqliteFile(sqliteFileOf(options), out);
  return { driver: 'sqlite', detail: `${pages} pages (SQLite online backup)` };
}

export function inspectBackup(options: CreateStorageOptions, from: string): SqliteBackupInfo | undefined {
  return isPostgresUrl(options.databaseUrl) ? undefined : inspectSqliteBackup(from);
}

export async function restoreStore(options: CreateStorageOptions, from: string): Promise<void> {
  if (isPostgresUrl(options.databaseUrl)) await restorePostgres(options.databaseUrl, from);
  else await restoreSqliteFile(from, sqliteFileOf(options));
}
