/** The Nodes page's rows from GET /v1/nodes, kept pure so a unit test can check them on a fixture. */
import type { ClusterNode } from '../api/types.ts';

export interface NodeRow {
  id: string;
  state: ClusterNode['state'];
  load: string;
  cpu: string;
  memory: string;
  latency: string;
  heartbeat: string;
  version: string;
  tags: string;
  stale: boolean;
}

const MIB = 1024 * 1024;

export function nodeRows(nodes: ClusterNode[], now: number): NodeRow[] {
  return [...nodes]
    .sort((a, b) => (a.state === b.state ? a.id.localeCompare(b.id) : a.state === 'dead' ? 1 : b.state === 'dead' ? -1 : a.state.localeCompare(b.state)))
    .map((node) => {
      const age = Math.max(0, now - node.lastHeartbeatAt);
      const ms = (value: number | null) => (value === null ? '–' : `${Math.round(value)} ms`);
      const load = node.capacity === null
        ? `${node.sessions} sessions (no limit), weight ${node.weight}`
        : `${node.sessions} / ${node.capacity} sessions (${node.capacity ? Math.round((node.sessions / node.capacity) * 100) : 0}%), weight ${node.weight}`;
      return {
        id: node.id,
        state: node.state,
        load,
        cpu: `${node.stats.cpuPercent.toFixed(0)}%`,
        memory: `${Math.round(node.stats.rssBytes / MIB)} MiB`,
        latency: `p95 ${ms(node.stats.apiP95Ms)} · p99 ${ms(node.stats.apiP99Ms)} · lag ${ms(node.stats.eventLoopLagMs)}`,
        heartbeat: age < 60_000 ? `${Math.round(age / 1000)} s ago` : `${Math.round(age / 60_000)} min ago`,
        version: node.version,
        tags: Object.entries(node.tags).map(([k, v]) => `${k}=${v}`).join(', '),
        stale: node.state !== 'dead' && age > 15_000,
      };
    });
}
