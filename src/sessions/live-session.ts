/** Access to a session's live engine for API calls: tenant walls and scopes first, then liveness. */
import type { Principal } from '../auth/principal.ts';
import type { KeyScope, SessionRecord } from '../domain/records.ts';
import type { EngineSession } from '../engines/engine.ts';
import type { EngineFeatures } from '../engines/features.ts';
import { AppError } from '../errors/app-error.ts';
import type { SessionManager } from './session-manager.ts';
import type { SessionService } from './session-service.ts';
import type { EngineRegistry } from '../engines/registry.ts';

export interface LiveSession {
  record: SessionRecord;
  engine: EngineSession;
}

/** Where an accepted send goes: the queue of this node (worked once the session is WORKING here) or of another. */
export interface SendTarget {
  record: SessionRecord;
  /** The session runs in this process (connected, or coming back): its queue is worked here. */
  local: boolean;
  newMessageId(): string;
}

/** Reconnecting or starting again (a move, a failover, a dropped connection): back in a moment. */
const COMING_BACK = new Set(['STARTING', 'RECONNECTING']);

export class LiveSessions {
  constructor(
    private readonly sessions: SessionService,
    private readonly manager: SessionManager,
    private readonly engines: EngineRegistry,
  ) {}

  /**
   * A session to send with. WORKING here: its engine names the message. Coming back here, or meant
   * to run on another node (which the call could not reach): the message is queued under an id the
   * engine would have given it, and sent once the session is WORKING — an accepted send is never lost.
   * A session that never logged in, or is stopped, failed or logged out: SESSION_NOT_RUNNING.
   */
  async forSend(principal: Principal, sessionId: string): Promise<SendTarget> {
    const record = await this.sessions.load(principal, sessionId, 'send');
    const runtime = this.manager.runtime(sessionId);
    const engine = runtime?.current();
    const status = runtime?.snapshot().status ?? record.status;
    if (engine && status === 'WORKING') return { record, local: true, newMessageId: () => engine.newMessageId() };
    const engineIds = this.engines.has(record.engine) ? this.engines.get(record.engine) : undefined;
    const comingBack = runtime ? COMING_BACK.has(status) : record.status !== 'LOGGED_OUT';
    if (record.me && record.desiredState === 'running' && comingBack && engineIds?.newMessageId) {
      return { record, local: runtime !== undefined, newMessageId: () => engineIds.newMessageId!(record.me) };
    }
    throw new AppError('SESSION_NOT_RUNNING', `Session "${sessionId}" is ${status}; it must be WORKING for this.`);
  }

  async get(principal: Principal, sessionId: string, scope: KeyScope): Promise<LiveSession> {
    const record = await this.sessions.load(principal, sessionId, scope);
    const runtime = this.manager.runtime(sessionId);
    const engine = runtime?.current();
    const status = runtime?.snapshot().status ?? record.status;
    if (!engine || status !== 'WORKING') {
      throw new AppError('SESSION_NOT_RUNNING', `Session "${sessionId}" is ${status}; it must be WORKING for this.`);
    }
    return { record, engine };
  }

  /** The engine's implementation of a feature, or ENGINE_FEATURE_UNSUPPORTED. */
  async feature<K extends keyof EngineFeatures>(principal: Principal, sessionId: string, scope: KeyScope, name: K): Promise<EngineFeatures[K]> {
    const { record, engine } = await this.get(principal, sessionId, scope);
    const implementation = engine.features[name];
    if (!implementation) {
      throw new AppError('ENGINE_FEATURE_UNSUPPORTED', `The ${record.engine} engine does not support ${String(name)}.`);
    }
    return withEngineErrors(String(name), implementation as (...args: never[]) => Promise<unknown>) as EngineFeatures[K];
  }
}

/** WhatsApp refusing something is a 502 ENGINE_ERROR that names the operation, never a bare 500. */
function withEngineErrors<A extends never[], R>(operation: string, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (error) {
      if (error instanceof AppError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const code = (error as { data?: unknown }).data;
      throw new AppError('ENGINE_ERROR', `${operation} failed: ${message}${typeof code === 'number' ? ` (WhatsApp code ${code})` : ''}.`);
    }
  };
}
