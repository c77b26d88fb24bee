/**
 * Engine port (ARCHITECTURE.md §5). An engine drives one WhatsApp connection per EngineSession and
 * reports what happens as normalized EngineEvents; it never touches storage, webhooks or sockets.
 */
import type { SessionConfig, SessionMe } from '../domain/records.ts';
import type { ContactRecord } from '../domain/messages.ts';
import type { EngineFeatures } from './features.ts';
import type { DownloadedMedia, MessageRef, MessageStatusUpdate, NormalizedMessage, OutboundMessage, SentMessage } from './messaging.ts';

export type EngineFeature =
  | 'qr'
  | 'pairingCode'
  | 'logout'
  | 'messages.text'
  | 'messages.media'
  | 'groups'
  | 'presence'
  | 'passthrough';

export interface EngineCapabilities {
  features: readonly EngineFeature[];
}

/** Why a connection ended. `retryable` tells the runtime whether reconnecting can help. */
export type DisconnectReason =
  | 'restart_required'
  | 'connection_lost'
  | 'logged_out'
  | 'replaced'
  | 'timed_out'
  | 'error';

export type EngineEvent =
  | { type: 'qr'; qr: string }
  | { type: 'pairing_code'; code: string }
  | { type: 'connected'; me: SessionMe }
  | { type: 'disconnected'; reason: DisconnectReason; retryable: boolean; detail?: string }
  | { type: 'message'; message: NormalizedMessage }
  | { type: 'message_status'; update: MessageStatusUpdate }
  | { type: 'contacts'; contacts: Array<Omit<ContactRecord, 'sessionId' | 'updatedAt'>> }
  | { type: 'event'; name: string; payload: Record<string, unknown> };

export interface EngineHealth {
  /** Epoch ms of the last frame received from WhatsApp, null before the first. */
  lastFrameAt: number | null;
  /** Round trip of the last answered keepalive, null when none yet. */
  keepaliveRttMs: number | null;
  decryptErrors: number;
}

/** Key/value auth-state store handed to an engine; encryption happens behind it. */
/** A session's auth state. Writes apply in call order; a get() sees every write called before it. */
export interface AuthStatePort {
  get(category: string, keyIds: string[]): Promise<Map<string, Buffer>>;
  write(writes: Array<{ category: string; keyId: string; value: Buffer | null }>): Promise<void>;
  clear(): Promise<void>;
  /** Resolves once every write and clear called so far has settled (before a session is handed over). */
  flushed?(): Promise<void>;
}

export interface EngineLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface EngineSessionContext {
  sessionId: string;
  tenantId: string;
  config: SessionConfig;
  authState: AuthStatePort;
  logger: EngineLogger;
  emit(event: EngineEvent): void;
}

/** Core lifecycle and sending; read marks, presence, groups and profile are optional EngineFeatures. */
export interface EngineSession {
  /** The optional features this engine offers; the service reports missing ones as ENGINE_FEATURE_UNSUPPORTED. */
  readonly features: Partial<EngineFeatures>;
  /** Opens the connection. Resolves once the attempt is under way; outcome arrives as events. */
  start(): Promise<void>;
  /** Closes the connection and keeps the login. Idempotent. */
  stop(): Promise<void>;
  /** Unlinks the device and wipes the login. */
  logout(): Promise<void>;
  requestPairingCode(phone: string): Promise<string>;
  health(): EngineHealth;
  /** Engine-specific passthrough; JSON-safe arguments and result. */
  call(method: string, args: unknown[]): Promise<unknown>;
  /** A fresh WhatsApp message id, assigned before sending. */
  newMessageId(): string;
  /**
   * Sends and resolves with the message as sent. The engine does not report it again as a `message`
   * event (the caller records what this returns); receipts for it arrive as `message_status`.
   */
  sendMessage(message: OutboundMessage): Promise<SentMessage>;
  downloadMedia(message: MessageRef): Promise<DownloadedMedia>;
}

export interface Engine {
  readonly name: string;
  readonly capabilities: EngineCapabilities;
  createSession(ctx: EngineSessionContext): EngineSession;
  /**
   * A message id for a session not connected in this process (a send accepted while another node
   * runs it, or while it is being taken over); the same shape the connected session makes.
   */
  newMessageId?(me: { id: string } | null): string;
}
