/** The cluster as the API shows it (admin): nodes, their stats series, drain/activate, moving a session. */
import type { NodeStats, NodeView } from '../domain/cluster.ts';
import { AppError } from '../errors/app-error.ts';
import type { ClusterBus, ClusterRepository } from '../storage/cluster-ports.ts';
import type { NodeAgent } from './node-agent.ts';

export interface NodeResource {
  id: string;
  url: string;
  state: NodeView['state'];
  version: string;
  startedAt: number;
  lastHeartbeatAt: number;
  sessions: number;
  capacity: number | null;
  weight: number;
  tags: Record<string, string>;
  stats: NodeStats;
}

const MAX_SAMPLES = 10_000;

function toResource(node: NodeView): NodeResource {
  return {
    id: node.id, url: node.url, state: node.state, version: node.version, startedAt: node.startedAt, lastHeartbeatAt: node.heartbeatAt,
    sessions: node.sessions, capacity: node.capacity, weight: node.weight, tags: node.tags, stats: node.stats,
  };
}

export class NodeService {
  constructor(private readonly deps: { cluster: ClusterRepository; bus: ClusterBus; agent: NodeAgent; ttlMs: number }) {}

  async list(): Promise<NodeResource[]> {
    return (await this.deps.cluster.listNodes({ ttlMs: this.deps.ttlMs })).map(toResource);
  }

  async get(id: string): Promise<NodeResource> {
    const node = (await this.list()).find((n) => n.id === id);
    if (!node) throw new AppError('NODE_NOT_FOUND', `Node "${id}" not found.`);
    return node;
  }

  async stats(id: string, from: number, to: number): Promise<Array<NodeStats & { at: number; sessions: number }>> {
    await this.get(id);
    if (to < from) throw new AppError('VALIDATION_FAILED', '"to" must not be before "from".', { field: 'querystring.to' });
    return this.deps.cluster.statsBetween(id, from, to, MAX_SAMPLES);
  }

  /** The node takes no new sessions and hands its own to the others, a few at a time. */
  async drain(id: string): Promise<NodeResource> {
    return this.setState(id, 'draining');
  }

  async activate(id: string): Promise<NodeResource> {
    return this.setState(id, 'active');
  }

  /** Runs on the node that owns the session (the API forwards the call there). */
  move(sessionId: string, toNode?: string): Promise<{ from: string; to: string }> {
    return this.deps.agent.move(sessionId, toNode);
  }

  private async setState(id: string, state: 'active' | 'draining'): Promise<NodeResource> {
    const node = await this.get(id);
    if (node.state === 'dead') throw new AppError('NODE_UNAVAILABLE', `Node "${id}" is dead: it cannot drain or take sessions.`);
    await this.deps.cluster.setNodeState(id, state);
    await this.deps.bus.notify({ kind: 'node', nodeId: id });
    return { ...node, state };
  }
}
