/**
 * Evaluates the alert rules every interval and keeps the alerts table in step: a condition that
 * starts holding fires one alert per (tenant, rule); while it holds the alert's count follows it;
 * once it stops the alert resolves. Firing and resolving each write their event (alert.firing,
 * alert.resolved) in the same transaction, and tell the channels once, unless silenced.
 *
 * Several nodes may evaluate at once: the store's unique open fingerprint lets one insert win,
 * and resolve / notification claims are conditional updates, so each transition happens once.
 */
import type { Clock } from '../clock.ts';
import { silences as silenceCovers, type AlertRecord, type AlertSilence } from '../domain/alert-records.ts';
import { alertFingerprint, effectiveRules, evaluateAlerts, RULE_DEFINITIONS, WEBHOOK_SUCCESS_WINDOW_MS, type AlertCondition, type AlertFacts, type AlertRuleName } from '../domain/alerts.ts';
import type { EventRecord } from '../domain/records.ts';
import type { Logger } from '../logging/logger.ts';
import type { Repositories, Storage } from '../storage/ports.ts';
import { AlertDispatcher } from './alert-dispatch.ts';
import type { AlertTransition, ChannelSender } from './alert-notifier.ts';

/**
 * Extension point for conditions wafleet's own store cannot see, such as the cluster's "node down":
 * a source returns the conditions that hold now (tenantId null for installation-wide ones).
 */
export interface AlertSource {
  name: string;
  /** The rules its conditions use: while it fails, their open alerts stay as they are. */
  rules: AlertRuleName[];
  collect(now: number): Promise<AlertCondition[]>;
}

export interface AlertEvaluatorDeps {
  storage: Storage;
  clock: Clock;
  newId: () => string;
  publish: (events: EventRecord[]) => void;
  send: ChannelSender;
  logger: Logger;
  intervalMs: number;
  /** How long resolved alerts and ended silences are kept. */
  retentionMs: number;
  /** Delays between a failed channel's retries. */
  retryDelaysMs: readonly number[];
}

const PRUNE_EVERY_MS = 3_600_000;

const WATCHED_STATUSES = ['FAILED', 'LOGGED_OUT', 'RECONNECTING', 'STARTING', 'SCAN_QR'] as const;

class LostRace extends Error {}

export class AlertEvaluator {
  private readonly sources: AlertSource[] = [];
  /** `${session} ${status}` → when this process first saw it (a fresh QR touches the row every 20 s). */
  private readonly firstSeen = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly dispatcher: AlertDispatcher;
  private lastPruneAt = 0;

  constructor(private readonly deps: AlertEvaluatorDeps) {
    this.dispatcher = new AlertDispatcher(deps);
  }

  addSource(source: AlertSource): void {
    this.sources.push(source);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.evaluate(), this.deps.intervalMs);
    this.timer.unref();
    void this.evaluate();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    this.dispatcher.stop();
  }

  /** One evaluation (the interval's, or a test's); overlapping calls share the one in flight. */
  evaluate(): Promise<void> {
    this.running ??= this.evaluateOnce()
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'alert evaluation failed'))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private trackSince(facts: AlertFacts, now: number): AlertFacts {
    const present = new Set<string>();
    const sessions = facts.sessions.map((session) => {
      const key = `${session.id} ${session.status}`;
      present.add(key);
      const first = this.firstSeen.get(key) ?? now;
      this.firstSeen.set(key, first);
      return { ...session, since: Math.min(session.since, first) };
    });
    for (const key of this.firstSeen.keys()) if (!present.has(key)) this.firstSeen.delete(key);
    return { ...facts, sessions };
  }

  private async evaluateOnce(): Promise<void> {
    const { storage } = this.deps;
    const now = this.deps.clock.now();
    const facts = this.trackSince(await storage.alerts.facts(WATCHED_STATUSES, now - WEBHOOK_SUCCESS_WINDOW_MS), now);
    const overrides = await storage.alerts.allRules();
    const conditions = evaluateAlerts(facts, (tenantId) => effectiveRules(overrides.get(tenantId)), now);
    for (const source of this.sources) {
      try {
        conditions.push(...(await source.collect(now)).filter((c) => c.tenantId !== null || RULE_DEFINITIONS[c.rule].enabled));
      } catch (error) {
        this.deps.logger.warn({ err: error, source: source.name }, 'alert source failed; its alerts keep their state');
        for (const open of await storage.alerts.listFiring()) if (source.rules.includes(open.rule)) conditions.push(open);
      }
    }
    const firing = new Map((await storage.alerts.listFiring()).map((alert) => [alertFingerprint(alert.tenantId, alert.rule), alert]));
    const activeSilences = await storage.alerts.listSilences(now);
    const silenced = (alert: Pick<AlertRecord, 'tenantId' | 'rule'>) => activeSilences.some((s: AlertSilence) => silenceCovers(s, alert, now));
    const seen = new Set<string>();
    for (const condition of conditions) {
      const fingerprint = alertFingerprint(condition.tenantId, condition.rule);
      if (seen.has(fingerprint)) continue;
      seen.add(fingerprint);
      const open = firing.get(fingerprint);
      if (open) await this.keepFiring(open, condition, silenced(open), now);
      else await this.fire(condition, silenced(condition), now);
    }
    for (const [fingerprint, open] of firing) {
      if (!seen.has(fingerprint)) await this.resolve(open, now);
    }
    await this.pruneIfDue(now);
  }

  private async fire(condition: AlertCondition, isSilenced: boolean, now: number): Promise<void> {
    const alert: AlertRecord = {
      id: this.deps.newId(),
      tenantId: condition.tenantId,
      rule: condition.rule,
      severity: condition.severity,
      status: 'firing',
      summary: condition.summary,
      count: condition.count,
      subjects: condition.subjects,
      startedAt: now,
      updatedAt: now,
      resolvedAt: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      notifiedAt: isSilenced ? null : now,
    };
    if (!(await this.transition(alert, 'alert.firing', (repos) => repos.alerts.insertFiring(alert)))) return;
    if (!isSilenced) await this.dispatcher.notify(alert, 'alert.firing');
  }

  private async keepFiring(open: AlertRecord, condition: AlertCondition, isSilenced: boolean, now: number): Promise<void> {
    const changed = open.count !== condition.count || open.summary !== condition.summary || open.severity !== condition.severity || open.subjects.join() !== condition.subjects.join();
    if (changed) await this.deps.storage.alerts.refresh(open.id, condition, now);
    // Silenced when it fired: the channels hear of it once the silence is over, if it still fires.
    if (open.notifiedAt === null && !isSilenced && (await this.deps.storage.alerts.claimNotification(open.id, now))) {
      await this.dispatcher.notify({ ...open, ...condition, updatedAt: now, notifiedAt: now }, 'alert.firing');
    }
  }

  private async resolve(open: AlertRecord, now: number): Promise<void> {
    const resolved: AlertRecord = { ...open, status: 'resolved', resolvedAt: now, updatedAt: now };
    if (!(await this.transition(resolved, 'alert.resolved', (repos) => repos.alerts.resolve(open.id, now)))) return;
    // Only channels that heard it fire hear it resolve.
    if (open.notifiedAt !== null) await this.dispatcher.notify(resolved, 'alert.resolved');
  }

  /** The alert write and its event in one transaction; false when another node made the change first. */
  private async transition(alert: AlertRecord, type: AlertTransition, write: (repos: Repositories) => Promise<boolean>): Promise<boolean> {
    const events: EventRecord[] = alert.tenantId === null ? [] : [{ id: this.deps.newId(), type, tenantId: alert.tenantId, sessionId: null, timestamp: alert.updatedAt, payload: { alert } }];
    try {
      await this.deps.storage.transaction(async (repos) => {
        if (!(await write(repos))) throw new LostRace();
        await repos.events.append(events);
      });
    } catch (error) {
      if (error instanceof LostRace) return false;
      throw error;
    }
    this.deps.publish(events);
    this.deps.logger.info({ alertId: alert.id, tenantId: alert.tenantId, rule: alert.rule, count: alert.count, transition: type }, type === 'alert.firing' ? 'alert firing' : 'alert resolved');
    return true;
  }

  /** Resolved alerts and ended silences older than the retention go, at most once an hour. */
  private async pruneIfDue(now: number): Promise<void> {
    if (now - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = now;
    const removed = await this.deps.storage.alerts.prune(now - this.deps.retentionMs);
    if (removed > 0) this.deps.logger.debug({ removed }, 'old alerts pruned');
  }
}
