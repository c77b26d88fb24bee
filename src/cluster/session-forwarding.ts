/** What the HTTP layer needs to pass session calls on to the owning node (see http/plugins/forwarding.ts). */
import { HOP_CLIENT_IP_HEADER, type ClusterAuth } from './cluster-auth.ts';
import type { HopClient } from './hop-client.ts';
import type { SessionRoute, SessionRouter } from './session-router.ts';
import type { ClusterMetrics } from './cluster-metrics.ts';

export class SessionForwarding {
  constructor(
    readonly nodeId: string,
    readonly leaseTtlMs: number,
    private readonly router: SessionRouter,
    private readonly auth: ClusterAuth,
    readonly hops: HopClient,
    private readonly metrics?: Pick<ClusterMetrics, 'forwarded'>,
  ) {}

  /** Counts a call passed on (or not: the owner did not answer). */
  forwarded(result: 'ok' | 'unreachable'): void {
    this.metrics?.forwarded(result);
  }

  route(sessionId: string): Promise<SessionRoute> {
    return this.router.route(sessionId);
  }

  verifyHop(headers: Record<string, string | string[] | undefined>, method: string, url: string): string | undefined {
    return this.auth.verify(headers, method, url);
  }

  hopClientIp(headers: Record<string, string | string[] | undefined>): string | undefined {
    const ip = headers[HOP_CLIENT_IP_HEADER];
    return typeof ip === 'string' ? ip : undefined;
  }

  /** The owner did not answer: look it up again next time. */
  unreachable(sessionId: string): void {
    this.router.invalidate(sessionId);
  }
}
