/** One Baileys socket's lifecycle, translated into EngineEvents. */
import {
  downloadMediaMessage,
  generateMessageIDV2,
  jidNormalizedUser,
  S_WHATSAPP_NET,
  type AuthenticationState,
  type ConnectionState,
  type WASocket,
} from 'baileys';
import type { EngineHealth, EngineSession, EngineSessionContext } from '../engine.ts';
import type { EngineFeatures } from '../features.ts';
import type { DownloadedMedia, MessageRef, OutboundMessage, SentMessage } from '../messaging.ts';
import { refToMessage, toBaileysContent } from './outbound-mapper.ts';
import { normalizeMessage } from './inbound-mapper.ts';
import { wireBaileysEvents } from './baileys-events.ts';
import { createBaileysFeatures } from './baileys-features.ts';
import { AppError } from '../../errors/app-error.ts';
import { loadBaileysAuthState } from './auth-state.ts';
import { mapDisconnect } from './disconnect.ts';
import { reviveArgs, toJsonSafe } from './json-safe.ts';

type OpenSocket = (auth: AuthenticationState) => Promise<WASocket>;

/** How often wafleet measures the round trip of a ping of its own: rarely, since Baileys already pings every 30 s and frame age is the liveness signal. */
const PROBE_INTERVAL_MS = 300_000;
/** Ids sent through sendMessage whose echo has not come back yet; bounded in case one never does. */
const MAX_PENDING_ECHOES = 1000;

export class BaileysEngineSession implements EngineSession {
  private sock: WASocket | undefined;
  private stopping = false;
  private lastFrameAt: number | null = null;
  private keepaliveRttMs: number | null = null;
  private decryptErrors = 0;
  private probe: NodeJS.Timeout | undefined;
  private readonly ownSends = new Set<string>();
  readonly features: EngineFeatures = createBaileysFeatures(() => this.requireSocket());
  /** Resolves once the socket talks to WhatsApp (first QR or open), for pairing-code requests. */
  private reachable!: Promise<void>;
  private markReachable!: () => void;

  constructor(
    private readonly ctx: EngineSessionContext,
    private readonly openSocket: OpenSocket,
  ) {
    this.reachable = new Promise((resolve) => (this.markReachable = resolve));
  }

  async start(): Promise<void> {
    const { state, saveCreds } = await loadBaileysAuthState(this.ctx.authState, {
      onCorruptKey: () => {
        this.decryptErrors += 1;
      },
      // Baileys learned who a LID is: the contact carries both addresses from now on.
      onLidMappings: (pairs) => {
        if (!this.sock) return;
        this.emitIfCurrent(this.sock, { type: 'contacts', contacts: pairs.map(({ lid, phoneJid }) => ({ id: phoneJid, phoneJid, lid, name: null, notify: null })) });
      },
    });
    const sock = await this.openSocket(state);
    this.sock = sock;
    sock.ev.on('creds.update', () => {
      saveCreds().catch((error: unknown) => this.ctx.logger.error({ err: error }, 'saving creds failed'));
    });
    sock.ev.on('connection.update', (update) => this.onConnectionUpdate(sock, update));
    sock.ws.on('frame', () => {
      this.lastFrameAt = Date.now();
    });
    wireBaileysEvents(sock, (event) => this.emitIfCurrent(sock, event), {
      onUndecryptable: () => {
        this.decryptErrors += 1;
      },
      isEchoOfOwnSend: (messageId) => this.ownSends.delete(messageId),
    });
  }

  private emitIfCurrent(sock: WASocket, event: Parameters<EngineSessionContext['emit']>[0]): void {
    if (sock === this.sock && !this.stopping) this.ctx.emit(event);
  }

  private onConnectionUpdate(sock: WASocket, update: Partial<ConnectionState>): void {
    if (sock !== this.sock || this.stopping) return;
    if (update.qr) {
      this.markReachable();
      this.ctx.emit({ type: 'qr', qr: update.qr });
    }
    if (update.connection === 'open') {
      this.markReachable();
      this.lastFrameAt = Date.now();
      const user = sock.user;
      this.ctx.emit({
        type: 'connected',
        me: {
          id: user ? jidNormalizedUser(user.id) : 'unknown',
          ...(user?.lid ? { lid: jidNormalizedUser(user.lid) } : {}),
          ...(user?.name ? { name: user.name } : {}),
        },
      });
      this.startProbe(sock);
    }
    if (update.connection === 'close') {
      clearInterval(this.probe);
      const error = update.lastDisconnect?.error as { output?: { statusCode?: number }; message?: string } | undefined;
      const statusCode = error?.output?.statusCode;
      const mapped = mapDisconnect(statusCode);
      this.sock = undefined;
      this.ctx.emit({
        type: 'disconnected',
        ...mapped,
        detail: `${statusCode ?? 'no status'} ${error?.message ?? 'connection closed'}`.trim(),
      });
    }
  }

  private startProbe(sock: WASocket): void {
    clearInterval(this.probe);
    this.probe = setInterval(() => void this.measureKeepalive(sock), PROBE_INTERVAL_MS);
    this.probe.unref();
    void this.measureKeepalive(sock);
  }

  private async measureKeepalive(sock: WASocket): Promise<void> {
    const started = Date.now();
    try {
      await sock.query({ tag: 'iq', attrs: { to: S_WHATSAPP_NET, type: 'get', xmlns: 'w:p' }, content: [{ tag: 'ping', attrs: {} }] });
      this.keepaliveRttMs = Date.now() - started;
    } catch {
      // A failed ping shows up as frame silence and a close event; nothing to record here.
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.probe);
    const sock = this.sock;
    this.sock = undefined;
    sock?.end(undefined);
  }

  async logout(): Promise<void> {
    this.stopping = true;
    clearInterval(this.probe);
    const sock = this.sock;
    this.sock = undefined;
    if (!sock) return;
    try {
      await sock.logout();
    } catch (error) {
      // Unlinking is best effort when WhatsApp is unreachable; the login is wiped locally either way.
      this.ctx.logger.warn({ err: error }, 'logout request failed; wiping the login locally');
      sock.end(undefined);
    }
  }

  async requestPairingCode(phone: string): Promise<string> {
    await withTimeout(this.reachable, 20_000, 'WhatsApp did not answer in time; try again');
    const sock = this.requireSocket();
    const code = await sock.requestPairingCode(phone);
    this.ctx.emit({ type: 'pairing_code', code });
    return code;
  }

  health(): EngineHealth {
    const connected = this.sock !== undefined;
    return {
      lastFrameAt: connected ? this.lastFrameAt : null,
      keepaliveRttMs: connected ? this.keepaliveRttMs : null,
      decryptErrors: this.decryptErrors,
    };
  }

  async call(method: string, args: unknown[]): Promise<unknown> {
    const sock = this.requireSocket() as unknown as Record<string, unknown>;
    const fn = sock[method];
    if (typeof fn !== 'function') {
      throw new AppError('ENGINE_FEATURE_UNSUPPORTED', `The Baileys socket has no method "${method}".`);
    }
    try {
      return toJsonSafe(await (fn as (...input: unknown[]) => unknown).apply(sock, reviveArgs(args)));
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('ENGINE_ERROR', `${method} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  newMessageId(): string {
    return generateMessageIDV2(this.sock?.user?.id);
  }

  async sendMessage(message: OutboundMessage): Promise<SentMessage> {
    const sock = this.requireSocket();
    const quoted = message.quoted ? refToMessage(message.quoted) : undefined;
    this.expectEcho(message.id);
    const sent = await sock.sendMessage(message.to, toBaileysContent(message.content), {
      messageId: message.id,
      ...(quoted ? { quoted } : {}),
    }).catch((error: unknown) => {
      this.ownSends.delete(message.id);
      throw error;
    });
    const normalized = sent ? normalizeMessage(sent) : undefined;
    if (!sent || !normalized) {
      throw new AppError('ENGINE_ERROR', 'Baileys did not return the sent message.');
    }
    return { id: normalized.id, chatId: normalized.chatId, timestamp: normalized.timestamp, type: normalized.type, content: normalized.content, raw: normalized.raw };
  }

  private expectEcho(messageId: string): void {
    this.ownSends.add(messageId);
    if (this.ownSends.size > MAX_PENDING_ECHOES) this.ownSends.delete(this.ownSends.values().next().value as string);
  }

  async downloadMedia(ref: MessageRef): Promise<DownloadedMedia> {
    const sock = this.requireSocket();
    const message = refToMessage(ref);
    const data = await downloadMediaMessage(message, 'buffer', {}, { reuploadRequest: sock.updateMediaMessage, logger: sock.logger });
    const content = normalizeMessage(message)?.content.media;
    return { data, mimetype: content?.mimetype ?? 'application/octet-stream', ...(content?.fileName ? { fileName: content.fileName } : {}) };
  }

  /** The live socket, for feature calls. */
  requireSocket(): WASocket {
    if (!this.sock) throw new AppError('SESSION_NOT_RUNNING', 'The session is not connected to WhatsApp.');
    return this.sock;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('ENGINE_ERROR', message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
