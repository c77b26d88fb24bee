/**
 * Joining the cluster under a node id. Two live processes with one id would both think they own
 * its sessions, so a process waits while another one still beats under that id (a restart right
 * after a crash waits out the old heartbeat) and refuses to start if it keeps beating.
 */
import type { NodeRecord } from '../domain/cluster.ts';
import type { Logger } from '../logging/logger.ts';
import type { ClusterRepository } from '../storage/cluster-ports.ts';

export class NodeIdInUseError extends Error {
  constructor(nodeId: string, ageMs: number) {
    super(`Another running wafleet process uses node id "${nodeId}" (its heartbeat is ${ageMs} ms old). Give every process its own WAFLEET_NODE_ID.`);
    this.name = 'NodeIdInUseError';
  }
}

export interface RegisterNodeInput {
  cluster: ClusterRepository;
  node: NodeRecord;
  ttlMs: number;
  renewMs: number;
  /** The store already guarantees one process (SQLite's data-dir lock): no wait. */
  singleProcess: boolean;
  logger: Pick<Logger, 'warn'>;
  sleep?: (ms: number) => Promise<void>;
}

export async function registerNode(input: RegisterNodeInput): Promise<void> {
  const { cluster, node, ttlMs } = input;
  const sleep = input.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  if (!input.singleProcess) {
    const first = await cluster.getNode(node.id);
    if (first && first.instance !== node.instance && first.state !== 'left' && first.state !== 'dead') {
      let beatAt = first.heartbeatAt;
      let now = await cluster.now();
      const deadline = now + ttlMs + 2 * input.renewMs;
      if (now - beatAt < ttlMs) input.logger.warn({ node: node.id, heartbeatAgeMs: now - beatAt }, 'node id was in use moments ago: waiting for that process\'s heartbeat to expire');
      while (now - beatAt < ttlMs) {
        if (now > deadline) throw new NodeIdInUseError(node.id, now - beatAt);
        await sleep(Math.min(1000, input.renewMs));
        const current = await cluster.getNode(node.id);
        if (!current || current.state === 'left' || current.state === 'dead') break;
        beatAt = current.heartbeatAt;
        now = await cluster.now();
      }
    }
  }
  const now = await cluster.now();
  await cluster.registerNode({ ...node, startedAt: now, heartbeatAt: now });
}
