/**
 * Executes each session's durable send queue, one message at a time in FIFO order, on the node
 * whose runtime is WORKING. Waits for pacing, shows "typing…" when asked, sends with the id assigned
 * at enqueue time (a retry after a crash re-sends the same WhatsApp message, never a second one),
 * then records the outcome and removes the queue row in one transaction.
 */
import type { Clock } from '../clock.ts';
import type { MessageRecord } from '../domain/messages.ts';
import type { SessionRecord } from '../domain/records.ts';
import type { EngineSession } from '../engines/engine.ts';
import type { OutboundMessage, SentMessage } from '../engines/messaging.ts';
import type { Logger } from '../logging/logger.ts';
import type { MessageRecorder } from '../messages/message-recorder.ts';
import { messagePayload } from '../messages/message-recorder.ts';
import type { QueuedSend } from '../storage/outbound-ports.ts';
import { FencedWriteError, type Repositories, type Storage } from '../storage/ports.ts';
import type { Fence } from '../domain/cluster.ts';
import { sessionEvent } from '../sessions/session-events.ts';
import { SessionPacer } from './pacer.ts';
import { RecordPipeline } from './record-pipeline.ts';
import { parseOutbound } from './payload.ts';
import { typingMs, type PacingRules } from './pacing-rules.ts';
import type { PacingPolicy } from './pacing-policy.ts';
import type { NumberChecks } from '../messages/number-checks.ts';

/** Pause before the same message is tried again after an unfinished attempt. */
const RETRY_AFTER_MS = 1000;
/** "Sent" records one session may still be writing while its next message goes out. */
const RECORDS_IN_FLIGHT = 4;

class AttemptTimeout extends Error {
  constructor(ms: number) {
    super(`no answer from the engine within ${ms} ms`);
    this.name = 'AttemptTimeout';
  }
}

export interface WorkingSession {
  record: SessionRecord;
  engine: EngineSession;
}

export interface OutboundWorkerDeps {
  storage: Storage;
  clock: Clock;
  newId: () => string;
  recorder: MessageRecorder;
  logger: Logger;
  /** The session's engine when it is WORKING on this node, else undefined. */
  live(sessionId: string): EngineSession | undefined;
  /** This process's lease token for the session: every queue write carries it (a stale owner writes nothing). */
  fence(sessionId: string): Fence | undefined;
  /** A queue write was refused as stale: the session is another node's now. */
  fenced(sessionId: string): void;
  pacing: PacingPolicy;
  /** A crash-looping message is failed after this many attempts instead of sinking the queue. */
  maxAttempts: number;
  /** An engine send with no answer after this long is abandoned; the message stays queued. */
  attemptTimeoutMs: number;
  random?: () => number;
  /** Cached "on WhatsApp?" answers: a phone-number recipient is checked before its first send. */
  numberChecks?: NumberChecks;
  /** Observes each settled send: time from acceptance to outcome. */
  onSettled?(result: 'sent' | 'failed', waitMs: number): void;
}

export class OutboundWorker {
  private readonly pacers = new Map<string, SessionPacer>();
  private readonly running = new Map<string, { again: boolean; done?: Promise<void> }>();
  private readonly sleeps = new Map<string, { cancel(): void; wake(): void }>();
  private readonly waiters = new Map<string, Set<(record?: MessageRecord) => void>>();
  private readonly current = new Map<string, string>();
  /** Per session: messages taken for sending whose outcome is not recorded yet. */
  private readonly unsettledIds = new Map<string, Set<string>>();
  private readonly seeded = new Set<string>();
  private closed = false;

  constructor(private readonly deps: OutboundWorkerDeps) {}

  /** Makes sure the session's queue is being worked (idempotent; cheap when idle). */
  kick(sessionId: string): void {
    if (this.closed) return;
    const run = this.running.get(sessionId);
    if (run) {
      run.again = true;
      return;
    }
    const state: { again: boolean; done?: Promise<void> } = { again: false };
    this.running.set(sessionId, state);
    state.done = this.drain(sessionId, state)
      .catch((error: unknown) => {
        if (error instanceof FencedWriteError) {
          // Another node owns the session now and works its queue; nothing here to retry.
          this.deps.fenced(sessionId);
          return;
        }
        this.deps.logger.error({ sessionId, err: error }, 'outbound queue failed; retrying in 1 s');
        this.deps.clock.setTimeout(() => this.kick(sessionId), 1000);
      })
      .finally(() => this.running.delete(sessionId));
  }

  /**
   * Resolves when the message has left the queue (sent or failed), with the message as recorded
   * then; or with undefined after timeoutMs, or when the worker closes.
   */
  settled(messageId: string, timeoutMs: number): Promise<MessageRecord | undefined> {
    return new Promise((resolve) => {
      const set = this.waiters.get(messageId) ?? new Set();
      this.waiters.set(messageId, set);
      const timer = this.deps.clock.setTimeout(() => done(), timeoutMs);
      const done = (record?: MessageRecord): void => {
        timer.cancel();
        set.delete(done);
        if (!set.size) this.waiters.delete(messageId);
        resolve(record);
      };
      set.add(done);
    });
  }

  /** When the next `count` sends of the session could go at the earliest (for the sync 429 decision). */
  async estimate(session: SessionRecord, count: number): Promise<number> {
    const rules = await this.deps.pacing.rulesFor(session);
    return (await this.seededPacer(session.id)).estimate(this.deps.clock.now(), rules, count);
  }

  /** The message of the session being sent right now, if any. */
  inFlight(sessionId: string): string | undefined {
    return this.current.get(sessionId);
  }

  /** Messages of the session taken for sending whose outcome is not recorded yet: they settle through the worker. */
  unsettled(sessionId: string): ReadonlySet<string> {
    return this.unsettledIds.get(sessionId) ?? new Set();
  }

  /**
   * Waits (at most `timeoutMs`) for the session's queue work here to stop: the send under way and the
   * records being written settle. Called once the session's engine is gone (a hand-over).
   */
  async quiesce(sessionId: string, timeoutMs: number): Promise<void> {
    const done = this.running.get(sessionId)?.done;
    if (!done) return;
    let timer: { cancel(): void } | undefined;
    await Promise.race([done, new Promise<void>((resolve) => (timer = this.deps.clock.setTimeout(resolve, timeoutMs)))]);
    timer?.cancel();
  }

  /** Stops taking new messages and lets a send already under way finish (at most `graceMs`). */
  async close(graceMs = 5000): Promise<void> {
    this.closed = true;
    for (const sleep of this.sleeps.values()) sleep.cancel();
    for (const set of this.waiters.values()) for (const done of [...set]) done();
    const drains = [...this.running.values()].map((run) => run.done);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(drains), grace]);
    clearTimeout(timer);
  }

  /**
   * The session's pacer, on first use seeded with what this session sent in the last minute (from
   * the store), so a restart does not grant a fresh minute. Sends to new contacts per day are not
   * rebuilt: that window starts again after a restart.
   */
  private async seededPacer(sessionId: string): Promise<SessionPacer> {
    if (this.seeded.has(sessionId)) return this.pacer(sessionId);
    this.seeded.add(sessionId);
    const since = this.deps.clock.now() - 60_000;
    const recent = await this.deps.storage.messages.list({ sessionId, limit: 500 });
    const pacer = this.pacer(sessionId);
    // updatedAt is when wafleet recorded the send (a later receipt moves it on: errs on the careful side).
    const sends = recent.filter((m) => m.fromMe && m.status !== 'queued' && m.status !== 'failed' && m.updatedAt > since && m.updatedAt <= since + 60_000);
    for (const at of sends.map((m) => m.updatedAt).sort((a, b) => a - b)) pacer.record(at, false);
    return pacer;
  }

  private pacer(sessionId: string): SessionPacer {
    let pacer = this.pacers.get(sessionId);
    if (!pacer) this.pacers.set(sessionId, (pacer = new SessionPacer()));
    return pacer;
  }

  private async drain(sessionId: string, state: { again: boolean }): Promise<void> {
    const records = new RecordPipeline(RECORDS_IN_FLIGHT);
    try {
      await this.work(sessionId, state, records);
    } finally {
      // close() waits for the drain, so no record is left half-written.
      await records.settled();
    }
    records.check();
  }

  private async work(sessionId: string, state: { again: boolean }, records: RecordPipeline): Promise<void> {
    const { storage, clock } = this.deps;
    while (!this.closed) {
      records.check();
      state.again = false;
      const engine = this.deps.live(sessionId);
      const fence = this.deps.fence(sessionId);
      if (!engine || !fence) return; // resumed by the next kick when the session is WORKING here again
      // Read fresh each time (a PATCHed pacing override applies from the next message on), and
      // together: on PostgreSQL each read is a round trip.
      const [item, record] = await Promise.all([storage.outbound.next(sessionId, records.after), storage.sessions.get(sessionId)]);
      if (!item) {
        if (records.size > 0) {
          // Once the newest record is written, rows queued before it (a resumed bulk job) count again.
          await records.settled();
          continue;
        }
        if (state.again) continue;
        return;
      }
      if (!record) return;
      const live: WorkingSession = { record, engine };
      if (item.attempts >= this.deps.maxAttempts) {
        await this.fail(item, live.record, `gave up after ${item.attempts} attempts`, fence);
        continue;
      }
      const message = parseOutbound(item.payload);
      if (await this.notOnWhatsApp(sessionId, engine, message.to)) {
        const phone = message.to.split('@')[0];
        await this.fail(item, live.record, `RECIPIENT_NOT_ON_WHATSAPP: +${phone} has no WhatsApp account`, fence, 'RECIPIENT_NOT_ON_WHATSAPP');
        continue;
      }
      const rules = await this.deps.pacing.rulesFor(record);
      const newContact = rules.newContactsPerDay > 0 && !(await this.knownChat(sessionId, item.chatId, records));
      const pacer = await this.seededPacer(sessionId);
      const at = pacer.earliest(clock.now(), rules, newContact, (this.deps.random ?? Math.random)());
      if (at > clock.now()) {
        await this.sleep(sessionId, at - clock.now());
        continue; // look again: the queue, the session or the rules may have changed meanwhile
      }
      this.current.set(sessionId, item.messageId);
      const release = this.track(sessionId, item.messageId);
      try {
        await this.typing(live.engine, message, rules);
        pacer.record(clock.now(), newContact);
        // The lease is checked before every attempt: a process that lost the session never sends.
        if (!(await storage.outbound.markAttempt(sessionId, item.messageId, fence))) {
          release();
          continue;
        }
        const outcome = await this.send(item, message, live, records, release, fence);
        if (outcome === 'retry') await this.sleep(sessionId, RETRY_AFTER_MS);
      } catch (error) {
        release();
        throw error;
      } finally {
        this.current.delete(sessionId);
      }
    }
  }

  /**
   * WhatsApp accepts a message to a number without an account and never delivers it, so the number
   * is checked here, where the engine is. Groups, LIDs and newsletters are not phone numbers and are
   * not checked; a check that fails (engine error) lets the send go ahead rather than block it.
   */
  private async notOnWhatsApp(sessionId: string, engine: EngineSession, to: string): Promise<boolean> {
    const checks = this.deps.numberChecks;
    const lookup = engine.features.checkNumbers;
    if (!checks || !lookup || !to.endsWith('@s.whatsapp.net')) return false;
    const phone = to.slice(0, to.indexOf('@')).split(':')[0] ?? '';
    try {
      const [answer] = await checks.check(sessionId, [phone], (phones) => lookup(phones));
      return answer?.exists === false;
    } catch (error) {
      this.deps.logger.warn({ sessionId, err: error }, 'number check failed; sending without it');
      return false;
    }
  }

  /** Whether the session has talked to this chat; waits for records being written, which may add the chat. */
  private async knownChat(sessionId: string, chatId: string, records: RecordPipeline): Promise<boolean> {
    await records.settled();
    return Boolean(await this.deps.storage.chats.get(sessionId, chatId));
  }

  /** Marks a message as taken; the returned function (idempotent) marks it settled. */
  private track(sessionId: string, messageId: string): () => void {
    const ids = this.unsettledIds.get(sessionId) ?? new Set<string>();
    this.unsettledIds.set(sessionId, ids);
    ids.add(messageId);
    return () => {
      ids.delete(messageId);
      if (ids.size === 0 && this.unsettledIds.get(sessionId) === ids) this.unsettledIds.delete(sessionId);
    };
  }

  /** 'retry' leaves the message queued (same id next time); 'done' means it was recorded sent or failed. */
  private async send(item: QueuedSend, message: OutboundMessage, live: WorkingSession, records: RecordPipeline, release: () => void, fence: Fence): Promise<'done' | 'retry'> {
    let sent: SentMessage;
    try {
      sent = await this.attempt(live.engine, message);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // No answer, or the connection went away: WhatsApp may or may not have it. Sending again under
      // the same id is safe (the other side sees one message); failing it would be a lie.
      if (error instanceof AttemptTimeout || !this.deps.live(item.sessionId)) {
        this.deps.logger.warn({ sessionId: item.sessionId, messageId: item.messageId, reason }, 'send attempt unfinished; message stays queued');
        release();
        return 'retry';
      }
      await this.fail(item, live.record, reason, fence);
      release();
      return 'done';
    }
    // A store error from here on stops the drain (records.check()); it restarts and the message,
    // still queued, goes again.
    const content = { ...sent.content, ...(message.quoted ? { quotedId: message.quoted.id } : {}) };
    const removeFromQueue = (repos: Repositories) => repos.outbound.remove(item.sessionId, item.messageId, fence);
    await records.add(item.seq, async (abandoned) => {
      try {
        if (abandoned) return; // an earlier record failed: this one stays queued and goes again, in order
        const record = await this.deps.recorder.sent(live.record, item.messageId, { ...sent, content }, removeFromQueue);
        if (record) this.announceSettled(item, record);
      } finally {
        release();
      }
    });
    return 'done';
  }

  private attempt(engine: EngineSession, message: OutboundMessage): Promise<SentMessage> {
    return new Promise((resolve, reject) => {
      const timer = this.deps.clock.setTimeout(() => reject(new AttemptTimeout(this.deps.attemptTimeoutMs)), this.deps.attemptTimeoutMs);
      engine.sendMessage(message).then(
        (sent) => {
          timer.cancel();
          resolve(sent);
        },
        (error: unknown) => {
          timer.cancel();
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  private async fail(item: QueuedSend, session: SessionRecord, reason: string, fence: Fence, errorCode?: string): Promise<void> {
    const stored = await this.deps.storage.messages.get(item.sessionId, item.messageId);
    if (!stored) {
      await this.deps.storage.outbound.remove(item.sessionId, item.messageId, fence);
      return;
    }
    const record: MessageRecord = { ...stored, status: 'failed', statusReason: reason, updatedAt: this.deps.clock.now() };
    const payload = { ...messagePayload(record), ...(errorCode ? { errorCode } : {}) };
    const event = sessionEvent(this.deps.newId, record.updatedAt, session, 'message.failed', payload);
    await this.deps.recorder.failed(record, [event], (repos) => repos.outbound.remove(item.sessionId, item.messageId, fence));
    this.announceSettled(item, record);
  }

  private announceSettled(item: QueuedSend, record: MessageRecord): void {
    this.deps.onSettled?.(record.status === 'failed' ? 'failed' : 'sent', Math.max(0, record.updatedAt - item.enqueuedAt));
    for (const done of [...(this.waiters.get(item.messageId) ?? [])]) done(record);
  }

  private async typing(engine: EngineSession, message: OutboundMessage, rules: PacingRules): Promise<void> {
    const text = message.content.type === 'text' ? message.content.text : '';
    const ms = typingMs(rules, text.length);
    const sendPresence = engine.features.sendPresence;
    if (!ms || !sendPresence) return;
    // Typing is decoration: a failure here must never hold the message back.
    await sendPresence('composing', message.to).catch(() => undefined);
    await this.sleep(message.to, ms);
    await sendPresence('paused', message.to).catch(() => undefined);
  }

  private sleep(key: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.deps.clock.setTimeout(() => wake(), ms);
      const wake = (): void => {
        timer.cancel();
        this.sleeps.delete(key);
        resolve();
      };
      this.sleeps.set(key, { cancel: wake, wake });
    });
  }
}
