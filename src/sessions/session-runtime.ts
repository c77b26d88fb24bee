/**
 * One session's live connection: drives its EngineSession, turns engine events into status changes
 * (stored together with their event in one transaction), and applies the restart policy.
 */
import type { Engine, EngineEvent, EngineHealth, EngineSession, AuthStatePort, EngineLogger } from '../engines/engine.ts';
import type { EventRecord, SessionMe, SessionRecord } from '../domain/records.ts';
import { canTransition, isActive, type SessionStatus } from '../domain/session.ts';
import { backoffDelay, CircuitBreaker } from '../domain/restart-policy.ts';
import type { Storage } from '../storage/ports.ts';
import type { Clock } from '../clock.ts';
import { sessionEvent, type EventPublisher } from './session-events.ts';
import { SerialQueue } from './serial-queue.ts';
import { KnownContacts } from './known-contacts.ts';
import type { MessageRecorder } from '../messages/message-recorder.ts';
import type { Fence } from '../domain/cluster.ts';
import { FencedWriteError } from '../storage/ports.ts';

/** What a runtime needs of its session's ownership: the token for status writes, the 440 check. */
export interface RuntimeOwnership {
  fence(sessionId: string): Fence | undefined;
  confirm(sessionId: string): Promise<boolean>;
  fenced(sessionId: string): void;
  lost(sessionId: string, reason: string): void;
}

export interface RestartPolicy {
  baseMs: number;
  maxMs: number;
  breakerFailures: number;
  breakerWindowMs: number;
}

export interface RuntimeDeps {
  storage: Storage;
  clock: Clock;
  logger: EngineLogger;
  newId: () => string;
  publish: EventPublisher;
  restart: RestartPolicy;
  /** Unscanned QR codes shown before giving up (a session's config.qrMaxCycles overrides it). */
  qrMaxCycles: number;
  recorder: MessageRecorder;
  ownership: RuntimeOwnership;
  /** The session reached a state it leaves only when a user starts it again (logged out, replaced). */
  onStopWanted?(sessionId: string): void;
  random?: () => number;
}

export interface RuntimeSnapshot {
  status: SessionStatus;
  reason: string | null;
  qr: string | null;
  pairingCode: string | null;
  reconnectAttempts: number;
  health: EngineHealth;
}

interface StatusChange {
  status: SessionStatus;
  reason?: string | null;
  me?: SessionMe;
  stopWanted?: boolean;
}

export class SessionRuntime {
  private status: SessionStatus;
  private reason: string | null;
  private qr: string | null = null;
  private pairingCode: string | null = null;
  private engineSession: EngineSession | undefined;
  /** Engine sessions from earlier attempts may still emit; only the current generation is heard. */
  private generation = 0;
  private reconnectTimer: { cancel(): void } | undefined;
  private readonly breaker: CircuitBreaker;
  private readonly serial = new SerialQueue();
  private knownContacts = new KnownContacts();
  /** QR codes shown since the user last started the session, across reconnects; none scanned yet. */
  private qrShown = 0;

  constructor(
    private record: SessionRecord,
    private readonly engine: Engine,
    private readonly authState: AuthStatePort,
    private readonly deps: RuntimeDeps,
  ) {
    // A fresh runtime has no connection yet, whatever a crashed process last stored.
    this.status = isActive(record.status) ? 'STOPPED' : record.status;
    this.reason = record.statusReason;
    this.breaker = new CircuitBreaker({ failures: deps.restart.breakerFailures, windowMs: deps.restart.breakerWindowMs });
  }

  get id(): string {
    return this.record.id;
  }

  get engineName(): string {
    return this.engine.name;
  }

  snapshot(): RuntimeSnapshot {
    return {
      status: this.status,
      reason: this.reason,
      qr: this.qr,
      pairingCode: this.pairingCode,
      reconnectAttempts: this.breaker.recentFailures(this.deps.clock.now()),
      health: this.engineSession?.health() ?? { lastFrameAt: null, keepaliveRttMs: null, decryptErrors: 0 },
    };
  }

  /** The engine session, for feature calls (sends, passthrough) while connected. */
  current(): EngineSession | undefined {
    return this.engineSession;
  }

  start(): Promise<void> {
    return this.serial.run(async () => {
      this.breaker.reset();
      this.qrShown = 0;
      await this.openConnection();
    });
  }

  /** Closes the connection. `finalStatus` STOPPED keeps the login; the caller decides desired state. */
  stop(): Promise<void> {
    return this.serial.run(async () => {
      await this.closeConnection();
      if (this.status !== 'STOPPED') await this.changeStatus({ status: 'STOPPED', reason: null });
    });
  }

  logout(): Promise<void> {
    return this.serial.run(async () => {
      const session = this.engineSession;
      this.detach();
      if (session) await session.logout();
      await this.authState.clear();
      await this.changeStatus({ status: 'LOGGED_OUT', reason: 'logged out by request', stopWanted: true });
    });
  }

  /**
   * The lease moved to another process: drop the connection at once, without waiting for queued work
   * and without writing anything (the new owner reports the status from now on).
   */
  async abandon(): Promise<void> {
    const session = this.engineSession;
    this.detach();
    this.status = 'STOPPED';
    await session?.stop().catch(() => undefined);
  }

  /** Closes the connection for a hand-over to another node; the new owner reports the status. */
  handOver(): Promise<void> {
    return this.serial.run(async () => {
      await this.closeConnection();
      this.status = 'STOPPED';
      await this.authState.flushed?.();
    });
  }

  requestPairingCode(phone: string): Promise<string> {
    return this.serial.run(async () => {
      const session = this.engineSession;
      if (!session) throw new Error('not connected');
      return session.requestPairingCode(phone);
    });
  }

  /** Acts on silence: a WORKING session with no frame for `staleMs` is reconnected, never left looking healthy. */
  checkLiveness(staleMs: number): void {
    const lastFrameAt = this.engineSession?.health().lastFrameAt;
    if (this.status !== 'WORKING' || lastFrameAt == null) return;
    if (this.deps.clock.now() - lastFrameAt <= staleMs) return;
    const generation = this.generation;
    void this.serial.run(() =>
      this.onEngineEvent(generation, { type: 'disconnected', reason: 'timed_out', retryable: true, detail: `no frame for ${staleMs} ms` }),
    );
  }

  private async openConnection(): Promise<void> {
    this.detach();
    const generation = ++this.generation;
    this.knownContacts = new KnownContacts();
    await this.changeStatus({ status: 'STARTING', reason: null });
    const session = this.engine.createSession({
      sessionId: this.record.id,
      tenantId: this.record.tenantId,
      config: this.record.config,
      authState: this.authState,
      logger: this.deps.logger,
      emit: (event) => {
        this.serial.run(() => this.onEngineEvent(generation, event)).catch((error: unknown) => {
          // The store refused the write (down, or a bug): say so loudly, keep the connection.
          this.deps.logger.error({ sessionId: this.record.id, eventType: event.type, err: error }, 'could not record engine event');
        });
      },
    });
    this.engineSession = session;
    try {
      await session.start();
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      await this.onEngineEvent(generation, { type: 'disconnected', reason: 'error', retryable: true, detail });
    }
  }

  private detach(): void {
    this.reconnectTimer?.cancel();
    this.reconnectTimer = undefined;
    this.generation += 1;
    this.engineSession = undefined;
    this.qr = null;
    this.pairingCode = null;
  }

  private async closeConnection(): Promise<void> {
    const session = this.engineSession;
    this.detach();
    if (session) await session.stop();
  }

  private async onEngineEvent(generation: number, event: EngineEvent): Promise<void> {
    if (generation !== this.generation) return;
    switch (event.type) {
      case 'qr':
        if (++this.qrShown > this.qrMaxCycles()) {
          await this.giveUpOnQr();
          return;
        }
        this.qr = event.qr;
        await this.changeStatus({ status: 'SCAN_QR', reason: null }, [['session.qr', { qr: event.qr }]]);
        return;
      case 'pairing_code':
        this.pairingCode = event.code;
        await this.publishOnly('session.pairing_code', { code: event.code });
        return;
      case 'connected':
        this.qrShown = 0;
        this.qr = null;
        this.pairingCode = null;
        await this.changeStatus({ status: 'WORKING', reason: null, me: event.me });
        return;
      case 'event':
        await this.publishOnly(event.name, event.payload);
        return;
      case 'message':
        await this.deps.recorder.message(this.record, event.message);
        return;
      case 'message_status':
        await this.deps.recorder.status(this.record, event.update);
        return;
      case 'contacts':
        await this.recordContacts(event.contacts);
        return;
      case 'disconnected':
        await this.onDisconnected(event);
        return;
    }
  }

  private async recordContacts(contacts: Extract<EngineEvent, { type: 'contacts' }>['contacts']): Promise<void> {
    const known = this.knownContacts;
    const news = known.news(contacts);
    if (news.length === 0) return;
    try {
      await this.deps.recorder.contacts(this.record, news);
    } catch (error) {
      known.forget(news);
      throw error;
    }
  }

  private async onDisconnected(event: Extract<EngineEvent, { type: 'disconnected' }>): Promise<void> {
    const detail = event.detail ? `${event.reason}: ${event.detail}` : event.reason;
    if (event.reason === 'logged_out') {
      this.detach();
      await this.authState.clear();
      await this.changeStatus({ status: 'LOGGED_OUT', reason: detail, stopWanted: true });
      return;
    }
    if (event.reason === 'replaced') {
      await this.onReplaced(detail);
      return;
    }
    if (event.reason === 'restart_required') {
      // WhatsApp asks for a fresh connection right after pairing (515): not a failure.
      await this.openConnection();
      return;
    }
    // Baileys closes the socket (408) once WhatsApp's refs are used up; a fresh connection would only loop.
    if (this.status === 'SCAN_QR' && this.qrShown >= this.qrMaxCycles()) {
      await this.giveUpOnQr();
      return;
    }
    if (!event.retryable) {
      this.detach();
      await this.changeStatus({ status: 'FAILED', reason: detail });
      return;
    }
    await this.scheduleReconnect(detail);
  }

  /**
   * WhatsApp closed this connection because the same device logged in elsewhere (440). Never
   * reconnect blindly: when the lease is another process's now, that process is the session and this
   * one stays down quietly. When it is still ours, a client outside wafleet uses the login: fighting
   * it would kick it back and forth, so say so (session.split_brain) and stay down until a user
   * starts the session again.
   */
  private async onReplaced(detail: string): Promise<void> {
    const ours = await this.deps.ownership.confirm(this.record.id).catch(() => false);
    const session = this.engineSession;
    this.detach();
    await session?.stop().catch(() => undefined);
    if (!ours) {
      this.deps.logger.warn({ sessionId: this.record.id }, "connection replaced (440) and the lease is another node's: staying down");
      this.deps.ownership.lost(this.record.id, 'WhatsApp replaced the connection (440) and another node holds the lease');
      return;
    }
    const reason = 'connection replaced by another client (440): a client outside wafleet is logged in with this device; start the session again once it is gone';
    await this.changeStatus({ status: 'FAILED', reason, stopWanted: true }, [['session.split_brain', { reason, detail }]]);
  }

  private qrMaxCycles(): number {
    const configured = this.record.config.qrMaxCycles;
    return typeof configured === 'number' && configured >= 1 ? configured : this.deps.qrMaxCycles;
  }

  /**
   * Nobody scanned any of the QR codes: stop asking WhatsApp for new ones (an unattended session
   * would otherwise rotate QRs forever) and wait for a user to start the session again.
   */
  private async giveUpOnQr(): Promise<void> {
    const cycles = this.qrMaxCycles();
    const session = this.engineSession;
    this.detach();
    await session?.stop().catch(() => undefined);
    const reason = `QR_TIMEOUT: no QR code was scanned (${cycles} shown); POST /v1/sessions/${this.record.id}/start for new ones`;
    await this.changeStatus({ status: 'FAILED', reason, stopWanted: true }, [['session.qr_timeout', { reason: 'QR_TIMEOUT', cycles }]]);
  }

  private async scheduleReconnect(detail: string): Promise<void> {
    const now = this.deps.clock.now();
    const tripped = this.breaker.recordFailure(now);
    const session = this.engineSession;
    this.detach();
    if (session) await session.stop().catch(() => undefined);
    if (tripped) {
      const reason = `circuit breaker open after ${this.deps.restart.breakerFailures} failures in ${this.deps.restart.breakerWindowMs} ms; last: ${detail}`;
      await this.changeStatus({ status: 'FAILED', reason });
      return;
    }
    const attempt = this.breaker.recentFailures(now);
    const delay = backoffDelay(attempt, this.deps.restart, this.deps.random);
    await this.changeStatus({ status: 'RECONNECTING', reason: `${detail}; retry ${attempt} in ${delay} ms` });
    const generation = this.generation;
    this.reconnectTimer = this.deps.clock.setTimeout(() => {
      void this.serial.run(async () => {
        if (generation === this.generation) await this.openConnection();
      });
    }, delay);
  }

  private async changeStatus(change: StatusChange, extra: Array<[string, Record<string, unknown>]> = []): Promise<void> {
    const previous = this.status;
    const statusChanged = previous !== change.status;
    if (statusChanged && !canTransition(previous, change.status)) {
      this.deps.logger.warn({ sessionId: this.record.id, from: previous, to: change.status }, 'ignored impossible status transition');
      return;
    }
    this.status = change.status;
    this.reason = change.reason ?? null;
    const now = this.deps.clock.now();
    const events: EventRecord[] = [];
    if (statusChanged || change.me) {
      const payload = { status: change.status, previous, reason: this.reason, ...(change.me ? { me: change.me } : {}) };
      events.push(sessionEvent(this.deps.newId, now, this.record, 'session.status', payload));
    }
    // Ids are created in publish order, so the event log sorts the way things happened.
    for (const [type, payload] of extra) events.push(sessionEvent(this.deps.newId, now, this.record, type, payload));
    const fence = this.deps.ownership.fence(this.record.id);
    let updated: SessionRecord | undefined;
    try {
      updated = await this.deps.storage.transaction(async (repos) => {
        const record = await repos.sessions.update(
          this.record.id,
          {
            status: change.status,
            statusReason: this.reason,
            ...(change.me ? { me: change.me } : {}),
            ...(change.stopWanted ? { desiredState: 'stopped' as const } : {}),
          },
          now,
          fence,
        );
        await repos.events.append(events);
        return record;
      });
    } catch (error) {
      if (!(error instanceof FencedWriteError)) throw error;
      // Another process owns the session now: it reports the status; this one lets go.
      this.deps.ownership.fenced(this.record.id);
      return;
    }
    if (updated) this.record = updated;
    this.deps.publish(events);
    if (change.stopWanted) this.deps.onStopWanted?.(this.record.id);
  }

  private async publishOnly(type: string, payload: Record<string, unknown>): Promise<void> {
    const event = sessionEvent(this.deps.newId, this.deps.clock.now(), this.record, type, payload);
    await this.deps.storage.events.append([event]);
    this.deps.publish([event]);
  }
}
