/**
 * A deterministic in-memory engine for fast tests of the session manager, with fault injection.
 * Behaviour: with no stored creds it shows a QR and waits for `scan()`; with creds it connects at once.
 * Never the only proof of a user-facing feature (those run the real Baileys engine against sim/).
 */
import { randomBytes } from 'node:crypto';
import type {
  Engine,
  EngineCapabilities,
  EngineHealth,
  EngineSession,
  EngineSessionContext,
} from '../engine.ts';
import { AppError } from '../../errors/app-error.ts';
import type { DownloadedMedia, OutboundMessage, SentMessage } from '../messaging.ts';
import type { EngineFeatures } from '../features.ts';
import { describeOutbound } from '../describe-outbound.ts';

const CREDS_CATEGORY = 'creds';
const CREDS_KEY = 'creds';

export interface FakeFaults {
  /** Delay before a start attempt reports anything. */
  startDelayMs: number;
  /** The next N start attempts fail with a lost connection. */
  failNextStarts: number;
  /** Phone numbers (digits) the number check reports as not on WhatsApp; every other one is. */
  notOnWhatsApp: Set<string>;
}

export class FakeEngineSession implements EngineSession {
  connected = false;
  startCount = 0;
  private qrCounter = 0;
  private lastFrameAt: number | null = null;
  private pendingStart: NodeJS.Timeout | undefined;
  private idCounter = 0;
  /** Every message this session sent, for tests to inspect. */
  readonly sent: OutboundMessage[] = [];
  readonly features: Partial<EngineFeatures> = {
    markRead: async () => undefined,
    sendPresence: async () => undefined,
    checkNumbers: async (phones) => phones.map((input) => ({ input, exists: !this.faults.notOnWhatsApp.has(input), jid: `${input}@s.whatsapp.net`, lid: null })),
  };

  constructor(
    readonly ctx: EngineSessionContext,
    private readonly faults: FakeFaults,
  ) {}

  async start(): Promise<void> {
    this.startCount += 1;
    const attempt = () =>
      void this.connectOrShowQr().catch((error: unknown) => {
        // Unreadable auth state will not get better by retrying.
        const detail = error instanceof Error ? error.message : String(error);
        this.ctx.emit({ type: 'disconnected', reason: 'error', retryable: false, detail });
      });
    if (this.faults.startDelayMs > 0) this.pendingStart = setTimeout(attempt, this.faults.startDelayMs);
    else queueMicrotask(attempt);
  }

  private async connectOrShowQr(): Promise<void> {
    if (this.faults.failNextStarts > 0) {
      this.faults.failNextStarts -= 1;
      this.ctx.emit({ type: 'disconnected', reason: 'connection_lost', retryable: true, detail: 'injected start failure' });
      return;
    }
    const creds = await this.ctx.authState.get(CREDS_CATEGORY, [CREDS_KEY]);
    const phone = creds.get(CREDS_KEY)?.toString('utf8');
    if (phone) this.markConnected(phone);
    else this.ctx.emit({ type: 'qr', qr: this.nextQr() });
  }

  private nextQr(): string {
    this.qrCounter += 1;
    return `fake-qr:${this.ctx.sessionId}:${this.qrCounter}`;
  }

  private markConnected(phone: string): void {
    this.connected = true;
    this.lastFrameAt = Date.now();
    this.ctx.emit({ type: 'connected', me: { id: `${phone}@s.whatsapp.net`, lid: `9${phone}@lid`, name: 'Fake' } });
  }

  /** Simulates the phone scanning the QR (or entering the pairing code). */
  async scan(phone = '15550001111'): Promise<void> {
    await this.ctx.authState.write([{ category: CREDS_CATEGORY, keyId: CREDS_KEY, value: Buffer.from(phone) }]);
    this.markConnected(phone);
  }

  /** Fault: the network drops the connection. */
  dropConnection(): void {
    this.connected = false;
    this.ctx.emit({ type: 'disconnected', reason: 'connection_lost', retryable: true, detail: 'injected drop' });
  }

  /** Fault: WhatsApp reports the device as logged out (401). */
  loggedOut(): void {
    this.connected = false;
    this.ctx.emit({ type: 'disconnected', reason: 'logged_out', retryable: false, detail: 'injected 401' });
  }

  /** Fault: another client took over the login (440). */
  replaced(): void {
    this.connected = false;
    this.ctx.emit({ type: 'disconnected', reason: 'replaced', retryable: false, detail: 'injected 440' });
  }

  async stop(): Promise<void> {
    clearTimeout(this.pendingStart);
    this.connected = false;
  }

  async logout(): Promise<void> {
    await this.stop();
    await this.ctx.authState.clear();
  }

  async requestPairingCode(phone: string): Promise<string> {
    const code = `FAKE${phone.slice(-4)}`.padEnd(8, '0').slice(0, 8);
    this.ctx.emit({ type: 'pairing_code', code });
    return code;
  }

  health(): EngineHealth {
    return { lastFrameAt: this.connected ? this.lastFrameAt : null, keepaliveRttMs: this.connected ? 1 : null, decryptErrors: 0 };
  }

  newMessageId(): string {
    this.idCounter += 1;
    return `FAKE${this.ctx.sessionId.toUpperCase()}${String(this.idCounter).padStart(6, '0')}`;
  }

  async sendMessage(message: OutboundMessage): Promise<SentMessage> {
    if (!this.connected) throw new AppError('SESSION_NOT_RUNNING', 'The fake session is not connected.');
    this.sent.push(message);
    const described = describeOutbound(message.content);
    return { id: message.id, chatId: message.to, timestamp: Date.now(), ...described, raw: JSON.stringify({ id: message.id, to: message.to }) };
  }

  /** Simulates the other side: a delivery or read receipt for a sent message. */
  receipt(id: string, chatId: string, status: 'delivered' | 'read'): void {
    this.ctx.emit({ type: 'message_status', update: { id, chatId, status } });
  }

  /** Simulates an incoming text message. */
  receive(from: string, text: string, id = `IN${Date.now()}${Math.random().toString(36).slice(2, 8)}`.toUpperCase()): string {
    this.ctx.emit({
      type: 'message',
      message: { id, chatId: from, chatAltId: null, fromMe: false, senderId: from, senderAltId: null, type: 'text', content: { text }, status: 'received', timestamp: Date.now(), raw: null },
    });
    return id;
  }

  async downloadMedia(): Promise<DownloadedMedia> {
    throw new AppError('ENGINE_FEATURE_UNSUPPORTED', 'The fake engine keeps no media.');
  }

  /** Passthrough: `scan` lets a person drive the fake engine over the API. */
  async call(method: string, args: unknown[]): Promise<unknown> {
    if (method === 'scan') {
      await this.scan(typeof args[0] === 'string' ? args[0] : undefined);
      return { scanned: true };
    }
    if (method === 'echo') return args;
    throw new AppError('ENGINE_FEATURE_UNSUPPORTED', `The fake engine has no method "${method}".`);
  }
}

export class FakeEngine implements Engine {
  readonly name = 'fake';
  readonly capabilities: EngineCapabilities = {
    features: ['qr', 'pairingCode', 'logout', 'passthrough'],
  };
  readonly faults: FakeFaults = { startDelayMs: 0, failNextStarts: 0, notOnWhatsApp: new Set() };
  /** The latest engine session per wafleet session id, for tests to drive. */
  readonly sessions = new Map<string, FakeEngineSession>();

  createSession(ctx: EngineSessionContext): FakeEngineSession {
    const session = new FakeEngineSession(ctx, this.faults);
    this.sessions.set(ctx.sessionId, session);
    return session;
  }

  newMessageId(): string {
    return `FAKEQ${randomBytes(8).toString('hex').toUpperCase()}`;
  }
}
