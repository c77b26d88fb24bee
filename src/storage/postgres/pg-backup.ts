/**
 * `wafleet backup` / `restore` on PostgreSQL: pg_dump / pg_restore (the PostgreSQL client tools,
 * same major version as the server or newer) for wafleet's schema, in pg_dump's custom format.
 * The URL goes to them as --dbname and never into a log line.
 */
import { spawn } from 'node:child_process';

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'ENOENT' ? `${command} is not installed: install the PostgreSQL client tools (apt-get install postgresql-client)` : error.message)),
    );
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} failed (exit ${code}): ${stderr.trim().slice(0, 2000)}`))));
  });
}

export function backupPostgres(url: string, schema: string, out: string): Promise<void> {
  return run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--schema=${schema}`, `--file=${out}`, `--dbname=${url}`]);
}

/** Replaces the schema's objects with the dump's, in one transaction. */
export function restorePostgres(url: string, from: string): Promise<void> {
  return run('pg_restore', ['--clean', '--if-exists', '--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', `--dbname=${url}`, from]);
}
