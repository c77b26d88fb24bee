import type { EventRecord } from '../../domain/records.ts';
import type { EventQuery, EventRepository } from '../ports.ts';
import type { Db, EventsTable } from './database.ts';
import { insertOrConflict } from './errors.ts';
import { fromJson, toJson, toMillis } from './json.ts';
import { ReusableQuery } from './reusable-query.ts';

/** Rows per INSERT: 6 parameters each stays far below SQLite's and PostgreSQL's parameter limits. */
const INSERT_CHUNK = 500;

function toEvent(row: EventsTable): EventRecord {
  return {
    id: row.id,
    type: row.type,
    tenantId: row.tenant_id,
    sessionId: row.session_id,
    timestamp: toMillis(row.timestamp),
    payload: fromJson<Record<string, unknown>>(row.payload),
  };
}

const appendOne = new ReusableQuery(['id', 'tenant_id', 'session_id', 'type', 'timestamp', 'payload'], (db: Db, row: EventsTable) => db.insertInto('events').values(row));

export class KyselyEventRepository implements EventRepository {
  constructor(private readonly db: Db) {}

  /** All events or none: several chunks run in one transaction (or in the caller's). */
  async append(events: EventRecord[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((event) => ({
      id: event.id,
      tenant_id: event.tenantId,
      session_id: event.sessionId,
      type: event.type,
      timestamp: event.timestamp,
      payload: toJson(event.payload),
    }));
    const [only] = rows;
    if (rows.length === 1 && only) {
      await insertOrConflict('an event with this id', () => appendOne.execute(this.db, only));
      return;
    }
    const insertAll = async (db: Db): Promise<void> => {
      for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
        await db.insertInto('events').values(rows.slice(start, start + INSERT_CHUNK)).execute();
      }
    };
    await insertOrConflict('an event with one of these ids', () =>
      rows.length <= INSERT_CHUNK || this.db.isTransaction
        ? insertAll(this.db)
        : this.db.transaction().execute(insertAll),
    );
  }

  /** Ascending by id. An empty `types` array means no type filter, like an absent one. */
  async list(query: EventQuery): Promise<EventRecord[]> {
    let select = this.db.selectFrom('events').selectAll();
    if (query.tenantId !== undefined) select = select.where('tenant_id', '=', query.tenantId);
    if (query.sessionId !== undefined) select = select.where('session_id', '=', query.sessionId);
    if (query.after !== undefined) select = select.where('id', '>', query.after);
    if (query.types !== undefined && query.types.length > 0) select = select.where('type', 'in', query.types);
    const rows = await select.orderBy('id').limit(query.limit).execute();
    return rows.map(toEvent);
  }

  async pruneBefore(timestamp: number): Promise<number> {
    const result = await this.db.deleteFrom('events').where('timestamp', '<', timestamp).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
