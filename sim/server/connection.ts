import type { WebSocket } from 'ws';
import { type BinaryNode, decodeBinaryNode, encodeBinaryNode, type proto } from 'baileys';
import { type HandshakeResult, NoiseServerHandshake, type TransportCipher } from './noise-server.ts';
import type { ServerIdentity } from './keys.ts';

/** Dictionaries the simulator can decode, by intro byte 3. rc14 speaks 3; 6.x (dict 2) would need its token tables. */
const SUPPORTED_DICTS = new Set([3]);

export interface ConnectionTiming {
  /** Delay before the first post-handshake frame (loopback is faster than Baileys' switch to transport mode). */
  postHandshakeDelayMs: number;
  /** Added to every outgoing frame, plus uniform jitter in [0, jitterMs). Order is always kept. */
  latencyMs: () => number;
}

export interface ConnectionHandlers {
  onHandshake(conn: Connection, payload: proto.ClientPayload): void;
  onNode(conn: Connection, node: BinaryNode): void;
  onClose(conn: Connection): void;
}

let nextConnectionId = 1;

/**
 * One client WebSocket: intro header, 3-byte framing, the Noise handshake, then encrypted
 * binary nodes both ways. It knows nothing about accounts: the router binds it to a device.
 */
export class Connection {
  readonly id = nextConnectionId++;
  /** Set by the router after a successful login/registration. */
  phone: string | undefined;
  device: number | undefined;
  clientStatic: Buffer | undefined;
  dictVersion = 0;
  closed = false;
  /** Extra per-device latency set through fault injection. */
  extraLatencyMs = 0;
  /**
   * Stanzas handed to this connection that the client has not acked yet (`class:id` → node).
   * If the connection dies first they go back to the device's offline queue, as WhatsApp
   * redelivers unacknowledged stanzas.
   */
  readonly unacked = new Map<string, BinaryNode>();

  private inBytes = Buffer.alloc(0);
  private sawIntro = false;
  private handshake: NoiseServerHandshake | undefined;
  private read: TransportCipher | undefined;
  private write: TransportCipher | undefined;
  private sendChain: Promise<void> = Promise.resolve();
  private recvChain: Promise<void> = Promise.resolve();
  private sentHello = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly identity: ServerIdentity,
    private readonly timing: ConnectionTiming,
    private readonly handlers: ConnectionHandlers,
  ) {
    ws.on('message', (data: Buffer) => this.onData(data));
    ws.on('close', () => this.markClosed());
    ws.on('error', () => this.markClosed());
  }

  get deviceJid(): string | undefined {
    return this.phone === undefined ? undefined : `${this.phone}:${this.device}@s.whatsapp.net`;
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.onClose(this);
  }

  private onData(data: Buffer): void {
    this.inBytes = this.inBytes.length ? Buffer.concat([this.inBytes, data]) : Buffer.from(data);
    try {
      if (!this.sawIntro && !this.readIntro()) return;
      while (this.inBytes.length >= 3) {
        const size = (this.inBytes[0]! << 16) | (this.inBytes[1]! << 8) | this.inBytes[2]!;
        if (this.inBytes.length < size + 3) return;
        const frame = this.inBytes.subarray(3, size + 3);
        this.inBytes = this.inBytes.subarray(size + 3);
        this.onFrame(frame);
      }
    } catch {
      // A client that breaks the protocol (bad MAC, garbage frame) is simply disconnected.
      this.terminate();
    }
  }

  /** `"WA" 6 <dict>`, optionally preceded by the `ED` edge-routing block. */
  private readIntro(): boolean {
    let offset = 0;
    if (this.inBytes.length >= 2 && this.inBytes.toString('latin1', 0, 2) === 'ED') {
      if (this.inBytes.length < 7) return false;
      offset = 7 + ((this.inBytes[4]! << 16) | this.inBytes.readUInt16BE(5));
    }
    if (this.inBytes.length < offset + 4) return false;
    const header = this.inBytes.subarray(offset, offset + 4);
    if (header[0] !== 0x57 || header[1] !== 0x41) throw new Error('bad intro header');
    this.dictVersion = header[3]!;
    if (!SUPPORTED_DICTS.has(this.dictVersion)) throw new Error(`unsupported dictionary ${this.dictVersion}`);
    this.handshake = new NoiseServerHandshake(this.identity.noiseStatic, this.identity.certChain, Buffer.from(header));
    this.inBytes = this.inBytes.subarray(offset + 4);
    this.sawIntro = true;
    return true;
  }

  private onFrame(frame: Buffer): void {
    if (this.read) {
      const plain = this.read.decrypt(frame);
      // Decoding is async (zlib); chain it so stanzas are handled in arrival order.
      this.recvChain = this.recvChain
        .then(() => decodeBinaryNode(plain))
        .then((node) => {
          if (!this.closed) this.handlers.onNode(this, node);
        })
        .catch(() => this.terminate());
      return;
    }
    const handshake = this.handshake!;
    if (!this.clientStatic && !this.write) {
      if (!this.sentHello) {
        this.sentHello = true;
        this.sendRaw(handshake.serverHello(frame));
        return;
      }
      this.finishHandshake(handshake.clientFinish(frame));
    }
  }

  private finishHandshake(result: HandshakeResult): void {
    this.clientStatic = result.clientStatic;
    this.read = result.readCipher;
    this.write = result.writeCipher;
    const go = () => !this.closed && this.handlers.onHandshake(this, result.clientPayload);
    if (this.timing.postHandshakeDelayMs > 0) setTimeout(go, this.timing.postHandshakeDelayMs);
    else go();
  }

  private sendRaw(payload: Buffer): void {
    const frame = Buffer.alloc(3 + payload.length);
    frame.writeUIntBE(payload.length, 0, 3);
    payload.copy(frame, 3);
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(frame);
  }

  /** Sends a node; frames keep their order even under injected latency (the GCM counter demands it). */
  send(node: BinaryNode): void {
    if (this.closed || !this.write) return;
    const delay = this.timing.latencyMs() + this.extraLatencyMs;
    const emit = () => {
      if (this.closed || !this.write) return;
      this.sendRaw(this.write.encrypt(encodeBinaryNode(node)));
    };
    if (delay <= 0) {
      this.sendChain = this.sendChain.then(emit);
      return;
    }
    this.sendChain = this.sendChain.then(() => new Promise<void>((resolve) => setTimeout(() => (emit(), resolve()), delay)));
  }

  /** Sends a last node (stream:error, failure) and closes once it has been flushed. */
  endWith(node: BinaryNode): void {
    this.send(node);
    this.sendChain = this.sendChain.then(() => this.close());
  }

  close(): void {
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close();
    this.markClosed();
  }

  /** Drops the TCP connection without a closing handshake (a network failure). */
  terminate(): void {
    this.ws.terminate();
    this.markClosed();
  }
}
