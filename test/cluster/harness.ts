/**
 * Several real wafleet processes on one PostgreSQL schema, real Baileys against one sim/ in this
 * process: the cluster as users run it. Each node is `node --import tsx src/main.ts serve` with its
 * own WAFLEET_NODE_ID; they share the master key, the admin key and the schema.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { dropPostgresSchema } from '../../src/storage/postgres/open-postgres.ts';
import { startSim, type RunningSim } from '../../sim/index.ts';
import { eventually } from '../helpers/test-app.ts';
import { httpJson, serveWafleet, type ServedWafleet } from '../helpers/wafleet-process.ts';

const PRELOAD = new URL('../helpers/sim-trust-preload.ts', import.meta.url).pathname;
export const ADMIN = 'cluster-test-admin-key-0123456789';
export const PG_URL = process.env.WAFLEET_TEST_PG_URL;

export interface ClusterNode {
  id: string;
  url: string;
  served: ServedWafleet;
}

export interface NodeOptions {
  weight?: number;
  capacity?: number;
  tags?: string;
  env?: Record<string, string>;
}

export class TestCluster {
  readonly nodes = new Map<string, ClusterNode>();
  readonly schema = `wafleet_cluster_${randomBytes(5).toString('hex')}`;
  private readonly masterKey = randomBytes(32).toString('base64');
  key = '';

  constructor(
    readonly sim: RunningSim,
    private readonly baseEnv: Record<string, string> = {},
    /** A database of its own (e.g. through PgBouncer) instead of a schema in the test database. */
    private readonly database?: { pooled: string; direct: string; drop(): Promise<void> },
  ) {}

  static async start(baseEnv: Record<string, string> = {}, database?: { pooled: string; direct: string; drop(): Promise<void> }): Promise<TestCluster> {
    return new TestCluster(await startSim(), baseEnv, database);
  }

  env(id: string, options: NodeOptions): NodeJS.ProcessEnv {
    const { DATABASE_URL: _db, ...inherited } = process.env;
    return {
      ...inherited,
      NODE_ENV: 'test',
      ...(this.database
        ? { DATABASE_URL: this.database.pooled, WAFLEET_DATABASE_DIRECT_URL: this.database.direct }
        : { DATABASE_URL: PG_URL, WAFLEET_DATABASE_SCHEMA: this.schema }),
      WAFLEET_HOST: '127.0.0.1',
      WAFLEET_PORT: '0',
      WAFLEET_LOG_LEVEL: process.env.WAFLEET_TEST_NODE_LOG ?? 'info',
      WAFLEET_ADMIN_KEY: ADMIN,
      WAFLEET_MASTER_KEY: this.masterKey,
      WAFLEET_WA_URL: this.sim.wsUrl,
      WAFLEET_SIM_ROOT_KEY: this.sim.rootPublicKey,
      WAFLEET_NODE_ID: id,
      WAFLEET_PACING_PER_MINUTE: '0',
      WAFLEET_RESUME_STAGGER_MS: '20',
      ...(options.weight ? { WAFLEET_NODE_WEIGHT: String(options.weight) } : {}),
      ...(options.capacity !== undefined ? { WAFLEET_NODE_CAPACITY: String(options.capacity) } : {}),
      ...(options.tags ? { WAFLEET_NODE_TAGS: options.tags } : {}),
      ...this.baseEnv,
      ...options.env,
    };
  }

  async startNode(id: string, options: NodeOptions = {}): Promise<ClusterNode> {
    const served = serveWafleet(this.env(id, options), [PRELOAD]);
    const url = await served.url;
    const node = { id, url, served };
    this.nodes.set(id, node);
    // Joined once GET /v1/nodes lists it active.
    await eventually(() => this.nodeStates(url), (states) => states[id] === 'active', 20_000);
    return node;
  }

  node(id: string): ClusterNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  /** Any node that is still running (to ask the cluster through). */
  anyUrl(except: string[] = []): string {
    for (const node of this.nodes.values()) if (!except.includes(node.id) && node.served.child.exitCode === null && node.served.child.signalCode === null) return node.url;
    throw new Error('no node running');
  }

  async nodeStates(url: string): Promise<Record<string, string>> {
    const res = await httpJson(url, 'GET', '/v1/nodes', ADMIN).catch(() => ({ status: 0, body: { items: [] } }));
    return Object.fromEntries(((res.body?.items ?? []) as Array<{ id: string; state: string }>).map((n) => [n.id, n.state]));
  }

  async tenant(id = 'acme', maxSessions = 200): Promise<string> {
    const url = this.anyUrl();
    assert.equal((await httpJson(url, 'POST', '/v1/tenants', ADMIN, { id, maxSessions })).status, 201);
    this.key = (await httpJson(url, 'POST', `/v1/tenants/${id}/keys`, ADMIN, { scopes: ['read', 'send', 'manage'] })).body.key;
    return this.key;
  }

  async sessionOf(url: string, sessionId: string): Promise<any> {
    return (await httpJson(url, 'GET', `/v1/sessions/${sessionId}`, this.key)).body;
  }

  /** The node whose lease runs the session now, as the cluster reports it (the x-wafleet-node of a live call). */
  async ownerOf(sessionId: string, via = this.anyUrl()): Promise<string | null> {
    const response = await fetch(`${via}/v1/sessions/${sessionId}/health`, { headers: { authorization: `Bearer ${this.key}` } });
    await response.arrayBuffer();
    return response.headers.get('x-wafleet-node');
  }

  /** Creates a session through `via`, scans its QR at the sim as the phone would, and waits for WORKING. */
  async pair(via: string, sessionId: string, phone: string, placement?: Record<string, unknown>): Promise<void> {
    const created = await httpJson(via, 'POST', '/v1/sessions', this.key, { id: sessionId, start: true, ...(placement ? { placement } : {}) });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await eventually(() => this.sessionOf(via, sessionId), (s) => s.status === 'SCAN_QR', 60_000);
    const qr = await eventually(() => httpJson(via, 'GET', `/v1/sessions/${sessionId}/qr?format=raw`, this.key), (r) => r.status === 200, 20_000);
    await simJson(this.sim, 'POST', '/admin/scan-qr', { qr: qr.body, phone, name: sessionId });
    await eventually(() => this.sessionOf(via, sessionId), (s) => s.status === 'WORKING', 60_000);
  }

  kicks(): Promise<number> {
    return simJson(this.sim, 'GET', '/admin/stats').then((r) => r.body.kicks as number);
  }

  async stop(): Promise<void> {
    for (const node of this.nodes.values()) {
      if (node.served.child.exitCode === null && node.served.child.signalCode === null) {
        node.served.child.kill('SIGCONT');
        node.served.child.kill('SIGKILL');
        await node.served.exit;
      }
    }
    await this.sim.stop();
    if (this.database) await this.database.drop();
    else if (PG_URL) await dropPostgresSchema(PG_URL, this.schema);
  }
}

export async function simJson(sim: RunningSim, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${sim.adminUrl}${path}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Texts a virtual contact received, by WhatsApp message id (a duplicate would show twice). */
export async function inboxIds(sim: RunningSim, phone: string): Promise<string[]> {
  const inbox = await simJson(sim, 'GET', `/admin/contacts/${phone}/inbox`);
  return (inbox.body as Array<{ id: string }>).map((entry) => entry.id);
}

export function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}
