/**
 * A real PgBouncer (Debian's `pgbouncer`) in transaction pooling mode on a loopback port, in front
 * of the test PostgreSQL — the way large deployments run. Each test gets a database of its own
 * (created directly on PostgreSQL), reached through the pooler by name.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../src/storage/create-storage.ts';

async function migrateTemplate(url: string): Promise<void> {
  await migrate({ databaseUrl: url, dataDir: '/nonexistent-unused' });
}

export interface RunningPgBouncer {
  port: number;
  /** A fresh database: its URL through PgBouncer, its direct URL, and how to drop it. */
  newDatabase(): Promise<{ pooled: string; direct: string; drop(): Promise<void> }>;
  stop(): Promise<void>;
}

/** Why PgBouncer cannot run here, or undefined when it can. */
export function pgBouncerMissing(): string | undefined {
  const found = spawnSync('pgbouncer', ['--version'], { encoding: 'utf8' });
  return found.status === 0 ? undefined : 'pgbouncer is not installed (apt-get install -y pgbouncer)';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPgBouncer(directUrl: string): Promise<RunningPgBouncer> {
  const target = new URL(directUrl);
  const user = decodeURIComponent(target.username || 'postgres');
  const dir = mkdtempSync(join(tmpdir(), 'wafleet-pgbouncer-'));
  const port = await freePort();
  writeFileSync(join(dir, 'userlist.txt'), `"${user}" ""\n`);
  writeFileSync(join(dir, 'pgbouncer.ini'), [
    '[databases]',
    `* = host=${target.hostname} port=${target.port || 5432}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    `unix_socket_dir = ${dir}`,
    'auth_type = trust',
    `auth_file = ${join(dir, 'userlist.txt')}`,
    'pool_mode = transaction',
    'max_client_conn = 500',
    'default_pool_size = 20',
    'ignore_startup_parameters = extra_float_digits',
    `logfile = ${join(dir, 'pgbouncer.log')}`,
    '',
  ].join('\n'));
  // PgBouncer refuses to run as root: it drops to the database's OS user.
  const asUser = process.getuid?.() === 0 ? ['-u', 'postgres'] : [];
  if (asUser.length) for (const file of ['', 'userlist.txt', 'pgbouncer.ini']) chownSync(join(dir, file), 101, 104);
  const child: ChildProcess = spawn('pgbouncer', [...asUser, join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
  const admin = new pg.Client({ connectionString: directUrl });
  await admin.connect();
  for (let attempt = 0; ; attempt++) {
    const probe = new pg.Client({ connectionString: `postgres://${user}@127.0.0.1:${port}/${target.pathname.slice(1)}` });
    try {
      await probe.connect();
      await probe.query('select 1');
      await probe.end();
      break;
    } catch (error) {
      await probe.end().catch(() => undefined);
      if (attempt > 50) throw new Error(`PgBouncer did not start: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  // One migrated database to copy: a new one is then a file copy, not a migration run.
  const template = `wafleet_bouncer_tpl_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${template}`);
  const templateUrl = new URL(directUrl);
  templateUrl.pathname = `/${template}`;
  await migrateTemplate(templateUrl.toString());
  return {
    port,
    async newDatabase() {
      const name = `wafleet_bouncer_${randomBytes(5).toString('hex')}`;
      await admin.query(`create database ${name} template ${template}`);
      const direct = new URL(directUrl);
      direct.pathname = `/${name}`;
      return {
        pooled: `postgres://${user}@127.0.0.1:${port}/${name}`,
        direct: direct.toString(),
        async drop() {
          // The pooler may still hold server connections to it.
          await admin.query(`drop database if exists ${name} with (force)`);
        },
      };
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
      await admin.query(`drop database if exists ${template} with (force)`);
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
