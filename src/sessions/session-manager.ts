/**
 * Owns the live runtimes of this node: start/stop/restart/logout serialized per session, resume at
 * process start (bounded concurrency, staggered), liveness watchdog, clean shutdown.
 * Ownership goes through SessionOwnership so cluster leases can plug in later.
 */
import type { AuthStatePort } from '../engines/engine.ts';
import type { EngineRegistry } from '../engines/registry.ts';
import type { SessionRecord } from '../domain/records.ts';
import { isActive } from '../domain/session.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import { KeyedLock } from './keyed-lock.ts';
import { SessionRuntime, type RuntimeDeps } from './session-runtime.ts';
import type { SessionOwnership } from './ownership.ts';

export interface SessionManagerDeps extends Omit<RuntimeDeps, 'logger'> {
  engines: EngineRegistry;
  logger: Logger;
  ownership: SessionOwnership;
  authStateFor(sessionId: string): AuthStatePort;
  resume: { concurrency: number; staggerMs: number };
  healthStaleMs: number;
}

export class SessionManager {
  private readonly runtimes = new Map<string, SessionRuntime>();
  private readonly lock = new KeyedLock();
  private watchdog: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(private readonly deps: SessionManagerDeps) {}

  runtime(sessionId: string): SessionRuntime | undefined {
    return this.runtimes.get(sessionId);
  }

  /** Starts the session unless it is already connecting or connected (idempotent). */
  start(sessionId: string): Promise<void> {
    return this.lock.run(sessionId, async () => {
      if (this.closing) throw new AppError('STORE_UNAVAILABLE', 'wafleet is shutting down.');
      const record = await this.load(sessionId);
      const existing = this.runtimes.get(sessionId);
      await this.deps.storage.sessions.update(sessionId, { desiredState: 'running' }, this.deps.clock.now());
      if (existing && isActive(existing.snapshot().status)) return;
      await this.deps.ownership.acquire(sessionId);
      const runtime = this.createRuntime(record);
      this.runtimes.set(sessionId, runtime);
      await runtime.start();
    });
  }

  /** Stops the connection and keeps the login (idempotent). */
  stop(sessionId: string, options: { keepDesired?: boolean } = {}): Promise<void> {
    return this.lock.run(sessionId, async () => {
      if (!options.keepDesired) {
        await this.deps.storage.sessions.update(sessionId, { desiredState: 'stopped' }, this.deps.clock.now());
      }
      await this.stopRuntime(sessionId);
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
      await this.deps.authStateFor(sessionId).clear();
      await deleteRecord();
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

  /** Resumes every session whose desired state is running: bounded concurrency, staggered starts. */
  async resumeAll(): Promise<number> {
    const sessions = await this.deps.storage.sessions.listDesiredRunning();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < sessions.length && !this.closing) {
        const session = sessions[next++];
        if (!session) break;
        await this.start(session.id).catch((error: unknown) => {
          this.deps.logger.error({ sessionId: session.id, err: error }, 'resume failed');
        });
        if (this.deps.resume.staggerMs > 0) await new Promise((resolve) => setTimeout(resolve, this.deps.resume.staggerMs));
      }
    };
    const workers = Math.min(this.deps.resume.concurrency, sessions.length);
    await Promise.all(Array.from({ length: workers }, worker));
    return sessions.length;
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

  private async stopRuntime(sessionId: string): Promise<void> {
    const runtime = this.runtimes.get(sessionId);
    if (runtime) {
      await runtime.stop();
      this.runtimes.delete(sessionId);
    } else {
      const record = await this.deps.storage.sessions.get(sessionId);
      if (record && record.status !== 'STOPPED') {
        // A session left mid-connection by a crash: record the truth.
        await this.deps.storage.sessions.update(sessionId, { status: 'STOPPED', statusReason: null }, this.deps.clock.now());
      }
    }
    await this.deps.ownership.release(sessionId);
  }

  private async load(sessionId: string): Promise<SessionRecord> {
    const record = await this.deps.storage.sessions.get(sessionId);
    if (!record) throw new AppError('SESSION_NOT_FOUND');
    return record;
  }

  private createRuntime(record: SessionRecord): SessionRuntime {
    const engine = this.deps.engines.get(record.engine);
    const logger = this.deps.logger.child({ sessionId: record.id, tenantId: record.tenantId, engine: record.engine });
    return new SessionRuntime(record, engine, this.deps.authStateFor(record.id), { ...this.deps, logger });
  }
}
