import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { type BinaryNode, proto } from 'baileys';
import { PairingRegistry } from '../pairing/registry.ts';
import { deviceKey, type SimStore } from '../state/store.ts';
import type { AccountRecord, DeviceRecord } from '../state/types.ts';
import { Connection } from './connection.ts';
import { childrenOf, type DeviceFaults, type DeviceLoginStats, S_WHATSAPP_NET, type SimContext, type SimStats, unixNow } from './context.ts';
import { answerIq } from './iq-handlers.ts';
import type { ServerIdentity } from './keys.ts';
import { MessageRelay } from './relay.ts';

/** Optional modules (groups, media, virtual phones) plug in here without the core knowing them. */
export interface SimExtension {
  /** May answer an IQ before the core does; return undefined to pass. */
  iq?(conn: Connection, node: BinaryNode): BinaryNode | undefined | Promise<BinaryNode | undefined>;
  /** Any other stanza (message to a group, presence…); return true when handled. */
  stanza?(conn: Connection, node: BinaryNode): boolean;
  /** A companion was just linked (after pair-device-sign, before its 515 restart). */
  linked?(account: AccountRecord, device: DeviceRecord): void;
  /** A companion logged in and got its offline queue. */
  loggedIn?(conn: Connection, account: AccountRecord): void;
  /** Stanza for device 0 (the simulated phone). Return true when consumed. */
  toPhone?(account: AccountRecord, node: BinaryNode): boolean;
  /** Receipt (delivered/read/retry) from a companion about a message the phone sent. */
  receiptToPhone?(account: AccountRecord, node: BinaryNode, sender: { phone: string; device: number }): boolean;
  /** Device ids the phone itself provides (e.g. [0] once it has Signal keys). */
  phoneDevices?(account: AccountRecord): number[];
}

export interface SimServerOptions {
  host: string;
  port: number;
  postHandshakeDelayMs: number;
  latencyMs: number;
  jitterMs: number;
  /** QR refs handed to a registering client (WhatsApp sends 6); Baileys shows one per QR rotation. */
  qrRefs?: number;
}

const ACKED_TAGS = new Set(['message', 'receipt', 'notification']);

export class SimServer implements SimContext {
  readonly stats: SimStats = {
    connections: 0, handshakes: 0, logins: 0, failures401: 0, registrations: 0, pairings: 0,
    stanzasIn: 0, stanzasOut: 0, messagesRelayed: 0, messagesQueued: 0, receiptsRelayed: 0, iqs: 0, pings: 0, overlaps: 0, kicks: 0,
  };
  /** Per linked device ("phone:device"): logins, overlapping logins and 440 kicks. */
  readonly loginStats = new Map<string, DeviceLoginStats>();
  readonly pairing: PairingRegistry;
  readonly extensions: SimExtension[] = [];
  private readonly live = new Map<string, Connection>();
  private readonly all = new Set<Connection>();
  private readonly faults = new Map<string, DeviceFaults>();
  private readonly relay: MessageRelay;
  private http: Server | undefined;
  private wss: WebSocketServer | undefined;
  latencyMs: number;
  jitterMs: number;

  constructor(
    readonly store: SimStore,
    readonly identity: ServerIdentity,
    private readonly options: SimServerOptions,
  ) {
    this.latencyMs = options.latencyMs;
    this.jitterMs = options.jitterMs;
    this.relay = new MessageRelay(this);
    this.pairing = new PairingRegistry(this, (account, device) => this.extensions.forEach((e) => e.linked?.(account, device)), options.qrRefs);
  }

  async listen(): Promise<string> {
    this.http = createServer((_req, res) => res.writeHead(426).end('WebSocket only\n'));
    this.wss = new WebSocketServer({ server: this.http, path: '/ws/chat' });
    this.wss.on('connection', (ws) => {
      this.stats.connections++;
      const conn = new Connection(ws, this.identity, {
        postHandshakeDelayMs: this.options.postHandshakeDelayMs,
        latencyMs: () => this.latencyMs + (this.jitterMs > 0 ? Math.random() * this.jitterMs : 0),
      }, {
        onHandshake: (c, payload) => this.onHandshake(c, payload),
        onNode: (c, node) => void this.onNode(c, node),
        onClose: (c) => this.onClose(c),
      });
      this.all.add(conn);
    });
    await new Promise<void>((resolve) => this.http!.listen(this.options.port, this.options.host, resolve));
    const { port } = this.http.address() as AddressInfo;
    return `ws://${this.options.host}:${port}/ws/chat`;
  }

  async close(): Promise<void> {
    for (const conn of this.all) conn.terminate();
    await new Promise<void>((resolve) => (this.wss ? this.wss.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
    this.http?.closeAllConnections?.();
  }

  // --- SimContext -------------------------------------------------------------------------

  connectionOf(phone: string, device: number): Connection | undefined {
    return this.live.get(deviceKey(phone, device));
  }

  deliver(phone: string, device: number, node: BinaryNode): 'sent' | 'queued' {
    const conn = this.connectionOf(phone, device);
    if (conn && !conn.closed) {
      this.sendTo(conn, node);
      return 'sent';
    }
    if (!this.store.account(phone)?.devices[String(device)]) return 'queued';
    this.store.enqueueOffline(phone, device, { ...node, attrs: { ...node.attrs, offline: '1' } });
    return 'queued';
  }

  deviceIds(account: AccountRecord): number[] {
    const phone = this.extensions.flatMap((e) => e.phoneDevices?.(account) ?? []);
    const companions = Object.values(account.devices).map((d) => d.id);
    return [...new Set([...phone, ...companions])].sort((a, b) => a - b);
  }

  faultsOf(phone: string, device: number): DeviceFaults {
    const key = deviceKey(phone, device);
    let faults = this.faults.get(key);
    if (!faults) this.faults.set(key, (faults = {}));
    return faults;
  }

  async extensionIq(conn: Connection, node: BinaryNode): Promise<BinaryNode | undefined> {
    for (const ext of this.extensions) {
      const reply = await ext.iq?.(conn, node);
      if (reply) return reply;
    }
    return undefined;
  }

  toPhone(account: AccountRecord, node: BinaryNode): void {
    for (const ext of this.extensions) if (ext.toPhone?.(account, node)) return;
  }

  receiptToPhone(account: AccountRecord, node: BinaryNode, sender: { phone: string; device: number }): void {
    for (const ext of this.extensions) if (ext.receiptToPhone?.(account, node, sender)) return;
  }

  // --- connection lifecycle ---------------------------------------------------------------

  private sendTo(conn: Connection, node: BinaryNode): void {
    this.stats.stanzasOut++;
    // Baileys acks every message, receipt and notification it processes (class = our tag).
    if (ACKED_TAGS.has(node.tag) && node.attrs.id) conn.unacked.set(`${node.tag}:${node.attrs.id}`, node);
    conn.send(node);
  }

  private onHandshake(conn: Connection, payload: proto.ClientPayload): void {
    this.stats.handshakes++;
    if (payload.username === null || payload.username === undefined || String(payload.username) === '0') {
      this.pairing.startRegistration(conn, payload);
      return;
    }
    this.login(conn, String(payload.username), payload.device ?? 0);
  }

  private login(conn: Connection, phone: string, deviceId: number): void {
    const account = this.store.account(phone);
    const device = account?.devices[String(deviceId)];
    if (!account || !device || !device.noiseKey.equals(conn.clientStatic!) || this.faultsOf(phone, deviceId).force401) {
      this.stats.failures401++;
      conn.endWith({ tag: 'failure', attrs: { reason: '401', location: 'sim' } });
      return;
    }
    const key = deviceKey(phone, deviceId);
    const older = this.live.get(key);
    conn.phone = phone;
    conn.device = deviceId;
    conn.extraLatencyMs = this.faultsOf(phone, deviceId).latencyMs ?? 0;
    this.live.set(key, conn);
    const counts = this.loginStats.get(key) ?? { logins: 0, overlaps: 0, kicks: 0, lastKickAt: null };
    this.loginStats.set(key, counts);
    counts.logins++;
    if (older && older !== conn) {
      counts.overlaps++;
      this.stats.overlaps++;
      if (!older.closed) {
        counts.kicks++;
        counts.lastKickAt = Date.now();
        this.stats.kicks++;
      }
      older.endWith({ tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] });
    }
    this.stats.logins++;
    this.sendTo(conn, { tag: 'success', attrs: { t: unixNow(), lid: `${account.lid}:${deviceId}@lid`, props: '1', location: 'sim', creation: String(Math.floor(account.createdAt / 1000)) } });
    const queued = this.store.takeOffline(phone, deviceId);
    for (const node of queued) this.sendTo(conn, node);
    this.sendTo(conn, { tag: 'ib', attrs: { from: S_WHATSAPP_NET }, content: [{ tag: 'offline', attrs: { count: String(queued.length) } }] });
    this.extensions.forEach((e) => e.loggedIn?.(conn, account));
  }

  private onClose(conn: Connection): void {
    this.all.delete(conn);
    this.pairing.forget(conn);
    if (conn.phone === undefined) return;
    const key = deviceKey(conn.phone, conn.device!);
    if (this.live.get(key) === conn) this.live.delete(key);
    // Redeliver what the client never acknowledged: to its newer connection, or on next login.
    const pending = [...conn.unacked.values()].map((n) => ({ ...n, attrs: { ...n.attrs, offline: '1' } }));
    conn.unacked.clear();
    if (!pending.length) return;
    const successor = this.live.get(key);
    if (successor) for (const node of pending) this.sendTo(successor, node);
    else this.store.requeueOffline(conn.phone, conn.device!, pending);
  }

  private async onNode(conn: Connection, node: BinaryNode): Promise<void> {
    this.stats.stanzasIn++;
    if (conn.phone === undefined) {
      // Not logged in: only the pairing conversation is allowed.
      if (node.tag === 'iq' && this.pairing.handleIq(conn, node)) return;
      if (node.tag === 'iq' && node.attrs.type !== 'result' && node.attrs.type !== 'error') {
        this.sendTo(conn, { tag: 'iq', attrs: { id: node.attrs.id ?? '', type: 'result', from: S_WHATSAPP_NET } });
      }
      return;
    }
    switch (node.tag) {
      case 'ack':
        conn.unacked.delete(`${node.attrs.class}:${node.attrs.id}`);
        return;
      case 'iq':
        return this.onIq(conn, node);
      case 'message':
        if (this.extensions.some((e) => e.stanza?.(conn, node))) return;
        return this.relay.handleMessage(conn, node);
      case 'receipt':
        // For messages a receipt (delivery, read, peer_msg, retry…) is the client's acknowledgement.
        for (const id of [node.attrs.id, ...childrenOf(childrenOf(node)[0]).map((i) => i.attrs.id)]) conn.unacked.delete(`message:${id}`);
        return this.relay.handleReceipt(conn, node);
      default:
        // ack, ib (unified_session), presence, chatstate…: extensions may take them, else ignored.
        this.extensions.some((e) => e.stanza?.(conn, node));
    }
  }

  private async onIq(conn: Connection, iq: BinaryNode): Promise<void> {
    this.stats.iqs++;
    if (iq.attrs.xmlns === 'w:p') this.stats.pings++;
    if (iq.attrs.xmlns === 'md' && Array.isArray(iq.content) && iq.content[0]?.tag === 'remove-companion-device') {
      this.sendTo(conn, { tag: 'iq', attrs: { id: iq.attrs.id ?? '', type: 'result', from: S_WHATSAPP_NET } });
      this.removeDevice(conn.phone!, conn.device!);
      return;
    }
    const reply = (await this.extensionIq(conn, iq)) ?? answerIq(this, conn, iq);
    if (reply) this.sendTo(conn, reply);
  }

  // --- admin operations -------------------------------------------------------------------

  /** Unlinks a device: its live connection is closed and the next login gets 401. */
  removeDevice(phone: string, device: number): boolean {
    const removed = this.store.removeDevice(phone, device);
    const conn = this.connectionOf(phone, device);
    if (conn) conn.endWith({ tag: 'failure', attrs: { reason: '401', location: 'sim' } });
    return removed;
  }

  /** Fault injection on a live device connection. Returns false when the device is offline. */
  inject(phone: string, device: number, fault: 'drop' | '401' | '515' | '440' | '503'): boolean {
    const conn = this.connectionOf(phone, device);
    if (!conn) return false;
    if (fault === 'drop') conn.terminate();
    else if (fault === '401') conn.endWith({ tag: 'failure', attrs: { reason: '401', location: 'sim' } });
    else if (fault === '440') conn.endWith({ tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] });
    else conn.endWith({ tag: 'stream:error', attrs: { code: fault } });
    return true;
  }

  liveDevices(): string[] {
    return [...this.live.keys()];
  }

  /** Stanzas handed to live connections and not yet acked by their clients. */
  unackedCount(): number {
    return [...this.live.values()].reduce((n, c) => n + c.unacked.size, 0);
  }
}
