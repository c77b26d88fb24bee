/**
 * Where a session's live connection is: here, or on which node. Sessions this process owns are known
 * in memory; other owners are looked up once and cached — until a lease message says they changed
 * (LISTEN/NOTIFY), or for a second when notifications are not available (behind PgBouncer).
 */
import type { ClusterRepository } from '../storage/cluster-ports.ts';

export type SessionRoute = { local: true } | { local: false; nodeId: string; url: string };

const LOCAL: SessionRoute = { local: true };
const MAX_ENTRIES = 50_000;

export interface SessionRouterDeps {
  cluster: ClusterRepository;
  nodeId: string;
  ttlMs: number;
  /** Whether this process owns the session now. */
  ownsLocally(sessionId: string): boolean;
  /** How long a looked-up owner may be trusted: long while lease messages arrive, short otherwise. */
  cacheMs(): number;
}

export class SessionRouter {
  private readonly cache = new Map<string, { route: SessionRoute; until: number }>();

  constructor(private readonly deps: SessionRouterDeps) {}

  async route(sessionId: string): Promise<SessionRoute> {
    if (this.deps.ownsLocally(sessionId)) return LOCAL;
    const now = Date.now();
    const cached = this.cache.get(sessionId);
    if (cached && cached.until > now) return cached.route;
    const owner = await this.deps.cluster.ownerOf(sessionId, { ttlMs: this.deps.ttlMs });
    const route: SessionRoute = !owner || owner.nodeId === this.deps.nodeId ? LOCAL : { local: false, nodeId: owner.nodeId, url: owner.url };
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(sessionId, { route, until: now + this.deps.cacheMs() });
    return route;
  }

  invalidate(sessionId?: string): void {
    if (sessionId === undefined) this.cache.clear();
    else this.cache.delete(sessionId);
  }
}
