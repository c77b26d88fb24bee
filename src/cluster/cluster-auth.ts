/**
 * Authenticates node-to-node hops. A node that forwards a client's call signs the hop: HMAC-SHA256
 * over time, node id, method and URL with the cluster secret (WAFLEET_CLUSTER_SECRET, or one derived
 * from the master key every node shares). The receiving node then answers it itself (no second hop),
 * trusts the client address it names, and does not count it against the key's rate limit twice.
 * The client's own key still authenticates the call on the owner.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export const HOP_NODE_HEADER = 'x-wafleet-forwarded-by';
export const HOP_AUTH_HEADER = 'x-wafleet-cluster-auth';
export const HOP_CLIENT_IP_HEADER = 'x-wafleet-client-ip';
/** How far apart two nodes' clocks and a hop's transit may be. */
const MAX_SKEW_MS = 60_000;

export function clusterSecret(configured: string | undefined, masterKey: Buffer): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'wafleet cluster hop v1', 32));
}

export class ClusterAuth {
  constructor(
    private readonly secret: Buffer,
    private readonly nodeId: string,
  ) {}

  /** Headers that make a forwarded request a signed hop from this node. */
  sign(method: string, url: string, clientIp: string, now = Date.now()): Record<string, string> {
    return {
      [HOP_NODE_HEADER]: this.nodeId,
      [HOP_AUTH_HEADER]: `${now}.${this.mac(now, this.nodeId, method, url)}`,
      [HOP_CLIENT_IP_HEADER]: clientIp,
    };
  }

  /** The node that signed this hop, or undefined when it is not a valid hop (a client, or forged). */
  verify(headers: Record<string, string | string[] | undefined>, method: string, url: string, now = Date.now()): string | undefined {
    const node = headers[HOP_NODE_HEADER];
    const auth = headers[HOP_AUTH_HEADER];
    if (typeof node !== 'string' || typeof auth !== 'string') return undefined;
    const dot = auth.indexOf('.');
    const at = Number(auth.slice(0, dot));
    if (!Number.isFinite(at) || Math.abs(now - at) > MAX_SKEW_MS) return undefined;
    const given = Buffer.from(auth.slice(dot + 1), 'hex');
    const expected = Buffer.from(this.mac(at, node, method, url), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected) ? node : undefined;
  }

  private mac(at: number, node: string, method: string, url: string): string {
    return createHmac('sha256', this.secret).update(`${at}\n${node}\n${method.toUpperCase()}\n${url}`).digest('hex');
  }
}
