/**
 * The real engine: one unmodified Baileys socket per session. Only this folder imports baileys.
 * It reports connection changes as EngineEvents and never touches storage directly: auth state goes
 * through the AuthStatePort the runtime hands it (encrypted, in the database).
 */
import makeWASocket, { Browsers, generateMessageIDV2, makeCacheableSignalKeyStore, type WASocket } from 'baileys';
import type { Logger } from 'pino';
import type { Engine, EngineCapabilities, EngineSession, EngineSessionContext } from '../engine.ts';
import { BaileysEngineSession } from './baileys-session.ts';
import { quietLibsignalConsole } from './libsignal-console.ts';
import { installSharedAsyncContext } from './shared-async-context.ts';

export interface BaileysEngineOptions {
  /** WhatsApp's WebSocket URL; sim/ in tests (WAFLEET_WA_URL). */
  waUrl: string;
  /** Baileys' own logger (it needs pino); quiet by default because it is chatty. */
  logger: Logger;
  /** Passed through to Baileys; shorter in tests. */
  keepAliveIntervalMs?: number;
  /** How long each QR code lives before the next ref is shown (Baileys' qrTimeout); undefined = its 60 s / 20 s. */
  qrTimeoutMs?: number | undefined;
}

export type SocketFactory = (config: Parameters<typeof makeWASocket>[0]) => WASocket;

export class BaileysEngine implements Engine {
  readonly name = 'baileys';
  readonly capabilities: EngineCapabilities = {
    features: ['qr', 'pairingCode', 'logout', 'passthrough', 'messages.text', 'messages.media', 'groups', 'presence'],
  };

  constructor(private readonly options: BaileysEngineOptions) {
    quietLibsignalConsole((message) => options.logger.debug(message));
    installSharedAsyncContext();
  }

  createSession(ctx: EngineSessionContext): EngineSession {
    const logger = this.options.logger.child({ sessionId: ctx.sessionId });
    const openSocket = async (auth: Parameters<typeof makeWASocket>[0]['auth']) =>
      makeWASocket({
        auth: { creds: auth.creds, keys: makeCacheableSignalKeyStore(auth.keys, logger) },
        waWebSocketUrl: this.options.waUrl,
        logger,
        browser: Browsers.ubuntu('Chrome'),
        markOnlineOnConnect: false,
        syncFullHistory: false,
        generateHighQualityLinkPreview: false,
        ...(this.options.keepAliveIntervalMs ? { keepAliveIntervalMs: this.options.keepAliveIntervalMs } : {}),
        ...(this.options.qrTimeoutMs ? { qrTimeout: this.options.qrTimeoutMs } : {}),
      });
    return new BaileysEngineSession(ctx, openSocket);
  }

  newMessageId(me: { id: string } | null): string {
    return generateMessageIDV2(me?.id);
  }
}
