/**
 * "Is this number on WhatsApp?" answers per session, remembered for a while: the contacts check
 * route and the outbound worker (before the first send to a phone number) share them, so a bulk
 * send to many numbers asks WhatsApp once per number, not once per message.
 */
import type { Clock } from '../clock.ts';
import type { NumberCheck } from '../engines/features.ts';

type Lookup = (phones: string[]) => Promise<NumberCheck[]>;

/** Bounds memory per session; the oldest answers are forgotten first. */
const MAX_PER_SESSION = 10_000;

export class NumberChecks {
  private readonly bySession = new Map<string, Map<string, { check: NumberCheck; at: number }>>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** Answers for `phones` (digits only), asking `lookup` only about those not known or expired. */
  async check(sessionId: string, phones: string[], lookup: Lookup): Promise<NumberCheck[]> {
    const now = this.clock.now();
    const cache = this.bySession.get(sessionId) ?? new Map<string, { check: NumberCheck; at: number }>();
    this.bySession.set(sessionId, cache);
    const fresh = (phone: string) => {
      const hit = cache.get(phone);
      return hit && now - hit.at < this.ttlMs ? hit.check : undefined;
    };
    const answers = new Map<string, NumberCheck>();
    for (const phone of phones) {
      const known = fresh(phone);
      if (known) answers.set(phone, known);
    }
    const unknown = [...new Set(phones.filter((phone) => !answers.has(phone)))];
    if (unknown.length > 0) {
      for (const check of await lookup(unknown)) {
        answers.set(check.input, check);
        cache.delete(check.input);
        cache.set(check.input, { check, at: now });
      }
      while (cache.size > MAX_PER_SESSION) cache.delete(cache.keys().next().value as string);
    }
    return phones.map((phone) => answers.get(phone) ?? { input: phone, exists: false, jid: null, lid: null });
  }

  /** The session's login changed (logged out, paired anew): what it learned no longer applies. */
  forget(sessionId: string): void {
    this.bySession.delete(sessionId);
  }
}
