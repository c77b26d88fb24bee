/**
 * Owns the live runtimes of this node: start/stop/restart/logout/hand-over serialized per session,
 * liveness watchdog, clean shutdown. A session runs here only while this process owns it
 * (SessionOwnership, with a fencing token); a session whose lease is lost is dropped at once.
 */
import type { AuthStatePort } from '../engines/engine.ts';
import type { EngineRegistry } from '../engines/registry.ts';
import type { SessionRecord } from '../domain/records.ts';
import { isActive } from '../domain/session.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import { KeyedLock } from './keyed-lock.ts';
import { SessionRuntime, type RuntimeDeps } from './session-runtime.ts';
import { OwnedElsewhereError, type SessionOwnership } from './ownership.ts';
import type { FenceSource } from './encrypted-auth-state.ts';

export interface SessionManagerDeps extends Omit<RuntimeDeps, 'logger' | 'ownership' | 'onStopWanted'> {
  engines: EngineRegistry;
  logger: Logger;
  ownership: SessionOwnership & { handOver(sessionId: string, toNode: string): Promise<boolean> };
  /** The session's auth state; with `fence`, every write carries the owner's token. */
  authStateFor(sessionId: string, fence?: FenceSource): AuthStatePort;
  healthStaleMs: number;
}

export class SessionManager {
  private readonly runtimes = new Map<string, SessionRuntime>();
  private readonly lock = new KeyedLock();
  private watchdog: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(private readonly deps: SessionManagerDeps) {
    deps.ownership.onLost((sessionId, reason) => void this.abandon(sessionId, reason));
  }

  runtime(sessionId: string): SessionRuntime | undefined {
    return this.runtimes.get(sessionId);
  }

  /** Sessions with a runtime in this process. */
  localSessions(): string[] {
    return [...this.runtimes.keys()];
  }

  /** Starts the session here unless it is already connecting or connected (idempotent). */
  start(sessionId: string): Promise<void> {
    return this.lock.run(sessionId, async () => {
      if (this.closing) throw new AppError('STORE_UNAVAILABLE', 'wafleet is shutting down.');
      const record = await this.load(sessionId);
      await this.deps.storage.sessions.update(sessionId, { desiredState: 'running' }, this.deps.clock.now());
      await this.run(record);
    });
  }

  /**
   * Starts a session placed on this node (adoption, a restart, a hand-over to here) when it still
   * wants to run; otherwise gives the assignment back. Never changes the desired state.
   */
  resume(sessionId: string): Promise<void> {
    return this.lock.run(sessionId, async () => {
      if (this.closing) return;
      const record = await this.deps.storage.sessions.get(sessionId);
      if (!record || record.desiredState !== 'running') {
        if (record && !this.runtimes.has(sessionId)) await this.deps.ownership.release(sessionId);
        return;
      }
      await this.run(record);
    });
  }

  /** Stops the connection and keeps the login (idempotent). */
  stop(sessionId: string, options: { keepDesired?: boolean } = {}): Promise<void> {
    return this.lock.run(sessionId, async () => {
      if (!options.keepDesired) {
        await this.deps.storage.sessions.update(sessionId, { desiredState: 'stopped' }, this.deps.clock.now());
      }
      await this.stopRuntime(sessionId);
      await this.deps.ownership.release(sessionId);
    });
  }

  /**
   * Stops a session running here whose desired state was set to stopped elsewhere (a node that
   * could not reach this one, a tenant deleted…); checked under the session's lock, so a start that
   * came meanwhile wins.
   */
  stopIfUnwanted(sessionId: string): Promise<void> {
    return this.lock.run(sessionId, async () => {
      const record = await this.deps.storage.sessions.get(sessionId);
      if (record && record.desiredState === 'running') return;
      await this.stopRuntime(sessionId);
      await this.deps.ownership.release(sessionId);
    });
  }

  async restart(sessionId: string): Promise<void> {
    await this.stop(sessionId);
    await this.start(sessionId);
  }

  /** Unlinks the device and wipes its auth state (idempotent: a stopped session is wiped too). */
  logout(sessionId: string): Promise<void> {
    return this.lock.run(sessionId, async () => {
      const record = await this.load(sessionId);
      let runtime = this.runtimes.get(sessionId);
      if (!runtime) {
        await this.acquire(sessionId);
        runtime = this.createRuntime(record);
        this.runtimes.set(sessionId, runtime);
      }
      if (record.status !== 'LOGGED_OUT' || runtime.current()) await runtime.logout();
      else await this.deps.authStateFor(sessionId).clear();
      this.runtimes.delete(sessionId);
      await this.deps.ownership.release(sessionId);
    });
  }

  /** Stops the session and forgets it; the caller deletes the record. */
  remove(sessionId: string, deleteRecord: () => Promise<void>): Promise<void> {
    return this.lock.run(sessionId, async () => {
      await this.stopRuntime(sessionId);
      await this.deps.ownership.release(sessionId);
      await this.deps.authStateFor(sessionId).clear();
      await deleteRecord();
    });
  }

  /**
   * Hands a session running here to another node without a new login: `quiesce` lets the sends under
   * way settle, the connection closes, its auth-state writes finish, then the lease goes to `toNode`
   * (which starts it from the store). False when the session is not running here.
   */
  handOver(sessionId: string, toNode: string, quiesce: (sessionId: string) => Promise<void>): Promise<boolean> {
    return this.lock.run(sessionId, async () => {
      const runtime = this.runtimes.get(sessionId);
      if (!runtime || !this.deps.ownership.fence(sessionId)) return false;
      // From here the outbound worker sees no live engine: it finishes the send under way and stops.
      this.runtimes.delete(sessionId);
      await quiesce(sessionId);
      await runtime.handOver();
      return this.deps.ownership.handOver(sessionId, toNode);
    });
  }

  requestPairingCode(sessionId: string, phone: string): Promise<string> {
    const runtime = this.runtimes.get(sessionId);
    const status = runtime?.snapshot().status;
    if (!runtime || !status || !['STARTING', 'SCAN_QR'].includes(status)) {
      throw new AppError('SESSION_STATE_CONFLICT', 'Start the session first: a pairing code can be requested while it waits for a scan (status SCAN_QR).');
    }
    return runtime.requestPairingCode(phone);
  }

  startWatchdog(intervalMs = Math.max(1000, Math.floor(this.deps.healthStaleMs / 3))): void {
    this.watchdog = setInterval(() => {
      for (const runtime of this.runtimes.values()) runtime.checkLiveness(this.deps.healthStaleMs);
    }, intervalMs);
    this.watchdog.unref();
  }

  /** Stops every connection but keeps desired states, so the next process resumes them. */
  async shutdown(): Promise<void> {
    this.closing = true;
    clearInterval(this.watchdog);
    await Promise.all([...this.runtimes.keys()].map((id) => this.stop(id, { keepDesired: true }).catch(() => undefined)));
  }

  /** The lease is another process's: drop the connection now, outside the lock (work under it may hang on the store). */
  private async abandon(sessionId: string, reason: string): Promise<void> {
    const runtime = this.runtimes.get(sessionId);
    if (!runtime) return;
    this.runtimes.delete(sessionId);
    this.deps.logger.warn({ sessionId, reason }, 'session lease lost: closing its connection here');
    await runtime.abandon();
  }

  private async run(record: SessionRecord): Promise<void> {
    const existing = this.runtimes.get(record.id);
    if (existing && isActive(existing.snapshot().status) && this.deps.ownership.fence(record.id)) return;
    await this.acquire(record.id);
    const runtime = this.createRuntime(record);
    this.runtimes.set(record.id, runtime);
    await runtime.start();
  }

  private async acquire(sessionId: string): Promise<void> {
    try {
      await this.deps.ownership.acquire(sessionId);
    } catch (error) {
      if (!(error instanceof OwnedElsewhereError)) throw error;
      throw new AppError('SESSION_ON_OTHER_NODE', `Session "${sessionId}" runs on node "${error.lease.nodeId}"; retry the call (wafleet forwards it there).`, { node: error.lease.nodeId });
    }
  }

  private async stopRuntime(sessionId: string): Promise<void> {
    const runtime = this.runtimes.get(sessionId);
    if (runtime) {
      await runtime.stop();
      this.runtimes.delete(sessionId);
      return;
    }
    const record = await this.deps.storage.sessions.get(sessionId);
    if (record && record.status !== 'STOPPED' && !(await this.liveElsewhere(sessionId))) {
      // A session left mid-connection by a crash: record the truth.
      await this.deps.storage.sessions.update(sessionId, { status: 'STOPPED', statusReason: null }, this.deps.clock.now());
    }
  }

  private async liveElsewhere(sessionId: string): Promise<boolean> {
    const lease = await this.deps.storage.cluster.get(sessionId, { ttlMs: 0 });
    return Boolean(lease?.live && lease.nodeId !== this.deps.ownership.nodeId);
  }

  private async load(sessionId: string): Promise<SessionRecord> {
    const record = await this.deps.storage.sessions.get(sessionId);
    if (!record) throw new AppError('SESSION_NOT_FOUND');
    return record;
  }

  private createRuntime(record: SessionRecord): SessionRuntime {
    const engine = this.deps.engines.get(record.engine);
    const logger = this.deps.logger.child({ sessionId: record.id, tenantId: record.tenantId, engine: record.engine });
    const { ownership } = this.deps;
    const fence: FenceSource = { current: () => ownership.fence(record.id), refused: () => ownership.fenced(record.id) };
    return new SessionRuntime(record, engine, this.deps.authStateFor(record.id, fence), {
      ...this.deps,
      logger,
      ownership,
      onStopWanted: (sessionId) => void this.settleStopped(sessionId),
    });
  }

  /** A session that will not run again until a user starts it gives its lease back. */
  private async settleStopped(sessionId: string): Promise<void> {
    await this.lock.run(sessionId, async () => {
      const runtime = this.runtimes.get(sessionId);
      if (!runtime || isActive(runtime.snapshot().status)) return;
      this.runtimes.delete(sessionId);
      await this.deps.ownership.release(sessionId);
    }).catch((error: unknown) => this.deps.logger.warn({ sessionId, err: error }, 'could not release the lease of a stopped session'));
  }
}
