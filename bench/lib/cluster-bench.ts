/**
 * Several real wafleet nodes (the build, `node dist/main.js serve`, as `npm start` runs it) on one
 * PostgreSQL schema, for the cluster benchmarks. Each node has its own data dir and WAFLEET_NODE_ID
 * and shares the master key, the admin key and the schema. The bench reads the schema directly
 * (leases, statuses) with a client of its own: what it asks costs the nodes nothing.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { dropPostgresSchema } from '../../src/storage/postgres/open-postgres.ts';
import { sleep } from './stats.ts';
import { spawnWafleet, type WafleetProc } from './wafleet-proc.ts';

export interface NodeSpawn {
  env?: Record<string, string>;
  /** taskset CPU list for this node. */
  cpus?: string;
  nodeFlags?: string[];
}

export interface ClusterBench {
  readonly schema: string;
  readonly nodes: Map<string, WafleetProc>;
  readonly masterKey: string;
  startNode(id: string, options?: NodeSpawn): Promise<WafleetProc>;
  node(id: string): WafleetProc;
  /** A node still running, other than `except`. */
  anyNode(except?: string[]): WafleetProc;
  /** kill -9: the process dies without handing anything over. */
  crash(id: string): Promise<void>;
  /** A query on the cluster's schema from the bench's own connection. */
  query<R extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<R[]>;
  /** Live leases: session id → node id. */
  owners(): Promise<Map<string, string>>;
  stop(): Promise<void>;
}

export interface ClusterBenchOptions {
  name: string;
  pgUrl: string;
  /** Environment every node gets (WAFLEET_WA_URL, engine switches, …). */
  env: Record<string, string>;
  simRootKey?: string;
  waUrl?: string;
}

export function requirePgUrl(flag: string | undefined): string {
  const url = flag ?? process.env.WAFLEET_TEST_PG_URL;
  if (!url) throw new Error('The cluster benchmarks need PostgreSQL: --pg postgres://… (or WAFLEET_TEST_PG_URL, see /work/env.sh).');
  return url;
}

export async function startClusterBench(options: ClusterBenchOptions): Promise<ClusterBench> {
  const schema = `bench_${options.name}_${randomBytes(4).toString('hex')}`;
  const masterKey = randomBytes(32).toString('base64');
  const nodes = new Map<string, WafleetProc>();
  const dirs: string[] = [];
  const client = new pg.Client({ connectionString: options.pgUrl, options: `-c search_path=${schema}` });
  await client.connect();

  const alive = (proc: WafleetProc) => proc.child.exitCode === null && proc.child.signalCode === null;
  const query = async <R extends pg.QueryResultRow>(text: string, params: unknown[] = []) => (await client.query<R>(text, params)).rows;

  return {
    schema,
    nodes,
    masterKey,
    async startNode(id, spawn = {}) {
      const dataDir = mkdtempSync(join(tmpdir(), `wafleet-bench-${options.name}-${id}-`));
      dirs.push(dataDir);
      const proc = await spawnWafleet({
        dataDir,
        waUrl: options.waUrl ?? 'ws://127.0.0.1:9/unused',
        simRootKey: options.simRootKey ?? '',
        masterKey,
        cpus: spawn.cpus,
        nodeFlags: spawn.nodeFlags,
        env: { DATABASE_URL: options.pgUrl, WAFLEET_DATABASE_SCHEMA: schema, WAFLEET_NODE_ID: id, ...options.env, ...spawn.env },
      });
      nodes.set(id, proc);
      // Joined once the cluster lists it active (registration runs before the server answers /health, but be sure).
      for (let tries = 0; ; tries++) {
        const listed = await proc.api('GET', '/v1/nodes');
        const state = (listed.body?.items as Array<{ id: string; state: string }> | undefined)?.find((n) => n.id === id)?.state;
        if (state === 'active') break;
        if (tries > 200) throw new Error(`node ${id} did not join: ${listed.text}`);
        await sleep(100);
      }
      return proc;
    },
    node(id) {
      const proc = nodes.get(id);
      if (!proc) throw new Error(`no node ${id}`);
      return proc;
    },
    anyNode(except = []) {
      for (const [id, proc] of nodes) if (!except.includes(id) && alive(proc)) return proc;
      throw new Error('no node running');
    },
    async crash(id) {
      const proc = nodes.get(id);
      if (!proc) throw new Error(`no node ${id}`);
      await proc.kill('SIGKILL');
    },
    query,
    async owners() {
      const rows = await query<{ session_id: string; node_id: string }>(
        `select session_id, node_id from session_leases where node_id is not null and expires_at > (extract(epoch from clock_timestamp()) * 1000)::bigint`,
      );
      return new Map(rows.map((r) => [r.session_id, r.node_id]));
    },
    async stop() {
      for (const proc of nodes.values()) if (alive(proc)) await proc.kill('SIGKILL');
      await client.end().catch(() => undefined);
      await dropPostgresSchema(options.pgUrl, schema).catch(() => undefined);
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Counters of the simulator's referee (GET /admin/stats): logins, overlapping logins, 440 kicks. */
export async function simCounters(adminUrl: string): Promise<{ logins: number; overlaps: number; kicks: number }> {
  const stats = (await (await fetch(`${adminUrl}/admin/stats`)).json()) as { logins: number; overlaps: number; kicks: number };
  return { logins: stats.logins, overlaps: stats.overlaps, kicks: stats.kicks };
}
