/** Paging through retained events, tenant-scoped: the catch-up path for consumers that were away. */
import type { Principal } from '../auth/principal.ts';
import { tenantOf } from '../auth/principal.ts';
import type { EventRecord } from '../domain/records.ts';
import { EVENT_FILTER_PATTERN, matchesEventType } from '../domain/webhooks.ts';
import { AppError } from '../errors/app-error.ts';
import { requireScope } from '../sessions/session-service.ts';
import type { Storage } from '../storage/ports.ts';

export interface EventFilter {
  /** Confines to one tenant; undefined = every tenant (admin). */
  tenantId?: string;
  sessionId?: string;
  /** Exact names, `*` or `prefix.*`; empty = every type. */
  types: string[];
}

export interface EventListQuery {
  after?: string;
  limit: number;
  session?: string;
  types?: string;
  tenant?: string;
}

const FILTER = new RegExp(EVENT_FILTER_PATTERN);
const ULID_LIKE = /^[0-9A-HJKMNP-TV-Z]{1,26}$/;

/** Parses `a,b.*` into a list, or throws VALIDATION_FAILED naming the bad entry. */
export function parseTypes(raw: string | undefined, field = 'querystring.types'): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  const types = raw.split(',').map((t) => t.trim()).filter(Boolean);
  const bad = types.find((t) => !FILTER.test(t) || t.length > 100);
  if (bad !== undefined || types.length > 50) throw new AppError('VALIDATION_FAILED', `"${bad ?? raw.slice(0, 50)}" is not an event type filter (use names like message.received, prefixes like message.* or *).`, { field });
  return types;
}

export function checkCursor(after: string | undefined, field = 'querystring.after'): void {
  if (after !== undefined && !ULID_LIKE.test(after)) throw new AppError('VALIDATION_FAILED', 'after must be an event id (a ULID).', { field });
}

export function matchesFilter(filter: EventFilter, event: EventRecord): boolean {
  if (filter.tenantId !== undefined && event.tenantId !== filter.tenantId) return false;
  if (filter.sessionId !== undefined && event.sessionId !== filter.sessionId) return false;
  return matchesEventType(filter.types, event.type);
}

export class EventService {
  constructor(private readonly storage: Storage) {}

  /** The filter a principal may subscribe with: a tenant key is always confined to its tenant. */
  filterFor(principal: Principal, query: { session?: string; types?: string; tenant?: string }): EventFilter {
    requireScope(principal, 'read');
    const own = tenantOf(principal);
    const tenantId = own ?? query.tenant;
    const types = parseTypes(query.types);
    return { ...(tenantId !== undefined ? { tenantId } : {}), ...(query.session ? { sessionId: query.session } : {}), types };
  }

  async list(principal: Principal, query: EventListQuery): Promise<{ items: EventRecord[]; next: string | null }> {
    checkCursor(query.after);
    const filter = this.filterFor(principal, query);
    // A tenant key naming another tenant sees nothing (not an error: nothing of theirs exists there).
    if (tenantOf(principal) !== undefined && query.tenant !== undefined && query.tenant !== tenantOf(principal)) return { items: [], next: null };
    const items = await this.page(filter, query.after, query.limit);
    return { items, next: items.length === query.limit ? items.at(-1)!.id : null };
  }

  /** Stored events after the cursor matching the filter, ascending. Prefix filters are applied here. */
  async page(filter: EventFilter, after: string | undefined, limit: number): Promise<EventRecord[]> {
    const exact = filter.types.length > 0 && filter.types.every((t) => !t.includes('*'));
    const out: EventRecord[] = [];
    let cursor = after;
    while (out.length < limit) {
      const batch = await this.storage.events.list({
        ...(filter.tenantId !== undefined ? { tenantId: filter.tenantId } : {}),
        ...(filter.sessionId !== undefined ? { sessionId: filter.sessionId } : {}),
        ...(exact ? { types: filter.types } : {}),
        ...(cursor !== undefined ? { after: cursor } : {}),
        limit: Math.max(limit - out.length, 100),
      });
      for (const event of batch) {
        if (out.length >= limit) break;
        if (matchesEventType(filter.types, event.type)) out.push(event);
      }
      if (batch.length === 0 || out.length >= limit) break;
      cursor = batch.at(-1)!.id;
      if (batch.length < Math.max(limit - out.length, 100) && exact) break;
    }
    return out;
  }
}
