/**
 * `wafleet backup --out FILE` and `wafleet restore --from FILE [--force]` (docs/operations.md
 * "Backup and restore"). The master key is not in the backup: keep it apart (it is what makes the
 * backup's auth state readable), and restore checks it opens the backup before anything changes.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config/config.ts';
import { migrationNames } from '../storage/create-storage.ts';
import { backupStore, inspectBackup, restoreStore, sqliteFileOf } from '../storage/backup.ts';
import { createCipher } from '../security/cipher.ts';
import { MASTER_KEY_FILE, parseMasterKey } from '../security/master-key.ts';

export const BACKUP_USAGE = `  backup --out FILE              consistent copy of the store (SQLite online backup; pg_dump on PostgreSQL)
  restore --from FILE [--force]  replace the store with a backup (stop wafleet first)
`;

function fail(message: string, code = 1): number {
  console.error(`wafleet: ${message}`);
  return code;
}

/** The master key this installation would use, without generating one. */
async function existingMasterKey(config: Readonly<Config>): Promise<Buffer | undefined> {
  if (config.masterKey?.trim()) return parseMasterKey(config.masterKey);
  const file = join(config.dataDir, MASTER_KEY_FILE);
  if (!existsSync(file)) return undefined;
  return parseMasterKey(await readFile(file, 'utf8'), `${MASTER_KEY_FILE} in ${config.dataDir}`);
}

export async function runBackupCommand(config: Readonly<Config>, command: 'backup' | 'restore', argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, allowPositionals: true, strict: false, options: { out: { type: 'string' }, from: { type: 'string' }, force: { type: 'boolean' } } });
  const store = { databaseUrl: config.databaseUrl, schema: config.databaseSchema, dataDir: config.dataDir };
  if (command === 'backup') {
    if (typeof values.out !== 'string') return fail('backup needs --out FILE', 2);
    if (existsSync(values.out)) return fail(`${values.out} exists already: choose a new file (a backup never overwrites one)`);
    const result = await backupStore(store, values.out);
    console.log(`${result.driver}: backup written to ${values.out}, ${result.detail}`);
    if (result.driver === 'sqlite') console.log(`keep the master key (${join(config.dataDir, MASTER_KEY_FILE)} or WAFLEET_MASTER_KEY) apart from the backup: without it the sessions' auth state cannot be read`);
    return 0;
  }
  if (typeof values.from !== 'string') return fail('restore needs --from FILE', 2);
  if (!existsSync(values.from)) return fail(`${values.from} does not exist`);
  let info: ReturnType<typeof inspectBackup>;
  try {
    info = inspectBackup(store, values.from);
  } catch (error) {
    return fail((error as Error).message);
  }
  if (info) {
    const known = new Set(migrationNames());
    const newer = info.migrations.filter((name) => !known.has(name));
    if (newer.length) return fail(`the backup was made by a newer wafleet (migrations ${newer.join(', ')}): restore it with that version or later`);
    if (existsSync(sqliteFileOf(store)) && !values.force) {
      return fail(`${sqliteFileOf(store)} exists: stop wafleet and pass --force to replace it with the backup`);
    }
    if (info.authStateSample) {
      const key = await existingMasterKey(config);
      if (!key) return fail(`the backup holds auth state sealed with a master key: put its ${MASTER_KEY_FILE} into ${config.dataDir} or set WAFLEET_MASTER_KEY, then restore again`);
      const { sessionId, category, keyId, value } = info.authStateSample;
      try {
        createCipher(key).decrypt({ sessionId, category, keyId }, value);
      } catch {
        return fail('this master key does not open the backup\'s auth state: use the key of the installation the backup came from');
      }
    }
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  } else if (!values.force) {
    return fail('restore on PostgreSQL replaces every wafleet table in the schema: stop every wafleet node and pass --force');
  }
  await restoreStore(store, values.from);
  console.log(`restored ${values.from}${info ? ` (${info.sessions} session(s))` : ''}; start wafleet to apply any newer migrations`);
  return 0;
}
