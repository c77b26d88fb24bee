/**
 * One session's send history and the earliest moment its next send may go. Pure: the caller passes
 * the time, so tests drive it with a controllable clock. History lives in memory; after a restart
 * pacing starts fresh (the first minute may send up to the limit again).
 */
import type { PacingRules } from './pacing-rules.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export class SessionPacer {
  /** Send times in the last minute, oldest first. */
  private recent: number[] = [];
  /** Sends to new contacts in the last 24 h, oldest first. */
  private firstContacts: number[] = [];
  private last: number | null = null;

  /** The earliest time ≥ now the next send may go; `jitter` (0…1) scales the random extra gap. */
  earliest(now: number, rules: PacingRules, newContact: boolean, jitter = 0): number {
    this.forget(now);
    return earliestFor(now, rules, this.recent, newContact ? this.firstContacts : [], newContact ? rules.newContactsPerDay : 0, this.last, jitter);
  }

  record(at: number, newContact: boolean): void {
    this.recent.push(at);
    if (newContact) this.firstContacts.push(at);
    this.last = at;
  }

  /**
   * When the `count`-th send from now could go if every one waited only for the rate and gap
   * (no jitter, not new contacts): the base of the 429 decision for sync sends.
   */
  estimate(now: number, rules: PacingRules, count: number): number {
    this.forget(now);
    const recent = [...this.recent];
    let last = this.last;
    let at = now;
    for (let i = 0; i < count; i++) {
      at = earliestFor(at, rules, recent, [], 0, last, 0);
      recent.push(at);
      last = at;
    }
    return at;
  }

  private forget(now: number): void {
    while (this.recent.length && (this.recent[0] ?? 0) <= now - MINUTE_MS) this.recent.shift();
    while (this.firstContacts.length && (this.firstContacts[0] ?? 0) <= now - DAY_MS) this.firstContacts.shift();
  }
}

function earliestFor(now: number, rules: PacingRules, recent: number[], contacts: number[], perDay: number, last: number | null, jitter: number): number {
  let at = now;
  if (last !== null && rules.minGapMs + rules.jitterMs > 0) at = Math.max(at, last + rules.minGapMs + Math.round(jitter * rules.jitterMs));
  at = Math.max(at, windowFree(recent, rules.perMinute, MINUTE_MS));
  if (perDay > 0) at = Math.max(at, windowFree(contacts, perDay, DAY_MS));
  return at;
}

/** With `limit` sends allowed per `window`, when the window next has room (sorted history). */
function windowFree(history: number[], limit: number, window: number): number {
  if (limit <= 0 || history.length < limit) return 0;
  return (history[history.length - limit] ?? 0) + window;
}
