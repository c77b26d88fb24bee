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
  recorder: MessageRecorder;
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
        this.qr = event.qr;
        await this.changeStatus({ status: 'SCAN_QR', reason: null }, [['session.qr', { qr: event.qr }]]);
        return;
      case 'pairing_code':
        this.pairingCode = event.code;
        await this.publishOnly('session.pairing_code', { code: event.code });
        return;
      case 'connected':
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
      // Reconnecting would fight the other client for the login; report it and stay down.
      this.detach();
      await this.changeStatus({ status: 'FAILED', reason: 'connection replaced by another client (440)', stopWanted: true });
      return;
    }
    if (event.reason === 'restart_required') {
      // WhatsApp asks for a fresh connection right after pairing (515): not a failure.
      await this.openConnection();
      return;
    }
    if (!event.retryable) {
      this.detach();
      await this.changeStatus({ status: 'FAILED', reason: detail });
      return;
    }
    await this.scheduleReconnect(detail);
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
    const updated = await this.deps.storage.transaction(async (repos) => {
      const record = await repos.sessions.update(
        this.record.id,
        {
          status: change.status,
          statusReason: this.reason,
          ...(change.me ? { me: change.me } : {}),
          ...(change.stopWanted ? { desiredState: 'stopped' as const } : {}),
        },
        now,
      );
      await repos.events.append(events);
      return record;
    });
    if (updated) this.record = updated;
    this.deps.publish(events);
  }

  private async publishOnly(type: string, payload: Record<string, unknown>): Promise<void> {
    const event = sessionEvent(this.deps.newId, this.deps.clock.now(), this.record, type, payload);
    await this.deps.storage.events.append([event]);
    this.deps.publish([event]);
  }
}
