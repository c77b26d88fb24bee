/**
 * Pacing rules: how fast a session may send, like a careful person rather than a script.
 * Defaults come from the configuration, then the tenant's defaults, then a session's `config.pacing`,
 * each overriding field by field.
 * 0 means "no limit" for the counts and "none" for the delays.
 */
import type { SessionConfig } from '../domain/records.ts';

export interface PacingRules {
  /** Messages per rolling minute. */
  perMinute: number;
  /** Messages to contacts this session never talked to, per rolling 24 h. */
  newContactsPerDay: number;
  /** Least time between two sends. */
  minGapMs: number;
  /** Up to this much random extra time on top of the gap. */
  jitterMs: number;
  /** Show "typing…" before a text, for a time scaled to its length. */
  typing: boolean;
  typingMsPerChar: number;
  typingMaxMs: number;
}

export const PACING_FIELDS = ['perMinute', 'newContactsPerDay', 'minGapMs', 'jitterMs', 'typing', 'typingMsPerChar', 'typingMaxMs'] as const;

/** Configured defaults, then the tenant's defaults, then the session's own override, field by field. */
export function resolvePacing(defaults: PacingRules, config: SessionConfig | undefined, tenant?: Record<string, unknown>): PacingRules {
  return applyPacing(applyPacing(defaults, tenant), config?.pacing);
}

/** One override layer; unknown or mistyped fields are ignored (the API schemas reject them). */
export function applyPacing(base: PacingRules, override: unknown): PacingRules {
  if (!override || typeof override !== 'object') return base;
  const rules: PacingRules = { ...base };
  for (const field of PACING_FIELDS) {
    const value = (override as Record<string, unknown>)[field];
    if (field === 'typing') {
      if (typeof value === 'boolean') rules.typing = value;
    } else if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
      rules[field] = value;
    }
  }
  return rules;
}

/** How long the typing indicator shows before a text of this length. */
export function typingMs(rules: PacingRules, textLength: number): number {
  if (!rules.typing || textLength <= 0) return 0;
  return Math.min(rules.typingMaxMs, Math.round(textLength * rules.typingMsPerChar));
}
