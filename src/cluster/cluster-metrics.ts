/** This node's cluster metrics: bounded labels only (state, result), never session or node ids. */
import { Counter, Gauge, type Registry } from 'prom-client';
import { NODE_STATES, type NodeView } from '../domain/cluster.ts';

export interface ClusterMetrics {
  fencedWrite(): void;
  forwarded(result: 'ok' | 'unreachable'): void;
  moved(): void;
  leaseLost(): void;
}

export function registerClusterMetrics(registry: Registry, deps: { ownedSessions: () => number; nodes: () => Promise<NodeView[]> }): ClusterMetrics {
  new Gauge({
    name: 'wafleet_node_sessions',
    help: 'Sessions this node holds a lease for',
    registers: [registry],
    collect() {
      this.set(deps.ownedSessions());
    },
  });
  new Gauge({
    name: 'wafleet_cluster_nodes',
    help: 'Nodes of the cluster by state, as this node sees them',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const nodes = await deps.nodes();
      for (const state of NODE_STATES) this.set({ state }, nodes.filter((n) => n.state === state).length);
    },
  });
  const fenced = new Counter({ name: 'wafleet_fenced_writes_total', help: 'Writes refused because their lease epoch was stale (another node had taken the session)', registers: [registry] });
  const forwarded = new Counter({ name: 'wafleet_forwarded_requests_total', help: 'API calls passed on to the node running the session, by result', labelNames: ['result'] as const, registers: [registry] });
  const moves = new Counter({ name: 'wafleet_session_moves_total', help: 'Sessions this node handed to another node (drain, move, shutdown)', registers: [registry] });
  const lost = new Counter({ name: 'wafleet_leases_lost_total', help: 'Sessions this node gave up because their lease was lost (not renewed in time, or taken over)', registers: [registry] });
  return {
    fencedWrite: () => fenced.inc(),
    forwarded: (result) => forwarded.inc({ result }),
    moved: () => moves.inc(),
    leaseLost: () => lost.inc(),
  };
}
