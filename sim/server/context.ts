import type { BinaryNode } from 'baileys';
import type { SimStore } from '../state/store.ts';
import type { AccountRecord } from '../state/types.ts';
import type { Connection } from './connection.ts';

export const S_WHATSAPP_NET = 's.whatsapp.net';

export interface SimStats {
  connections: number;
  handshakes: number;
  logins: number;
  failures401: number;
  registrations: number;
  pairings: number;
  stanzasIn: number;
  stanzasOut: number;
  messagesRelayed: number;
  messagesQueued: number;
  receiptsRelayed: number;
  iqs: number;
  /** `w:p` keepalive pings answered. */
  pings: number;
  /** Logins of a device while another connection of it was still live (two clients on one login). */
  overlaps: number;
  /** Older connections closed with 440 "replaced" because the device logged in again. */
  kicks: number;
}

/** One linked device's login history: how a gateway treats the login (the cluster's referee). */
export interface DeviceLoginStats {
  logins: number;
  overlaps: number;
  kicks: number;
  /** When the latest kick happened (ms), null when never. */
  lastKickAt: number | null;
}

/** Per-device fault switches set through the admin API. */
export interface DeviceFaults {
  /** Remaining message acks to answer with `error=<code>`. */
  ackErrors?: { code: string; remaining: number };
  /** Every login of this device fails with 401 while set. */
  force401?: boolean;
  /** Extra latency (ms) on every frame to this device, applied at login and immediately. */
  latencyMs?: number;
}

/**
 * What stanza handlers need from the server. Handlers import this interface only, so the
 * server module can import the handlers without a cycle.
 */
export interface SimContext {
  readonly store: SimStore;
  readonly stats: SimStats;
  /** Live connection of a device, if any. */
  connectionOf(phone: string, device: number): Connection | undefined;
  /** Sends to a device now, or queues the node with offline="1" when it is not connected. */
  deliver(phone: string, device: number, node: BinaryNode): 'sent' | 'queued';
  /** Device ids that exist for an account (linked companions plus device 0 when the phone has keys). */
  deviceIds(account: AccountRecord): number[];
  faultsOf(phone: string, device: number): DeviceFaults;
  /** Hook for extension modules (groups, media, virtual contacts): may answer an IQ first. */
  extensionIq(conn: Connection, node: BinaryNode): BinaryNode | undefined | Promise<BinaryNode | undefined>;
  /** A stanza addressed to device 0 of an account whose phone is simulated (virtual contacts). */
  toPhone(account: AccountRecord, node: BinaryNode): void;
  /** A receipt about a message the simulated phone of `account` sent (e.g. a retry request). */
  receiptToPhone(account: AccountRecord, node: BinaryNode, sender: { phone: string; device: number }): void;
}

export function iqResult(iq: BinaryNode, content?: BinaryNode[]): BinaryNode {
  const attrs: Record<string, string> = { from: S_WHATSAPP_NET, type: 'result' };
  if (iq.attrs.id) attrs.id = iq.attrs.id;
  return content ? { tag: 'iq', attrs, content } : { tag: 'iq', attrs };
}

export function iqError(iq: BinaryNode, code: number, text: string): BinaryNode {
  const attrs: Record<string, string> = { from: S_WHATSAPP_NET, type: 'error' };
  if (iq.attrs.id) attrs.id = iq.attrs.id;
  return { tag: 'iq', attrs, content: [{ tag: 'error', attrs: { code: String(code), text } }] };
}

export const unixNow = (): string => String(Math.floor(Date.now() / 1000));

export function childrenOf(node: BinaryNode | undefined): BinaryNode[] {
  return Array.isArray(node?.content) ? (node.content as BinaryNode[]) : [];
}
