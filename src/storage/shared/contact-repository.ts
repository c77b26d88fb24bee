import { mergeContact, type ContactRecord } from '../../domain/messages.ts';
import type { ContactRepository, Page } from '../ports.ts';
import type { ContactsTable, Db } from './database.ts';
import { toMillis } from './json.ts';
import { storableText } from './text.ts';

/** Rows per INSERT (7 parameters each). */
const CHUNK = 500;

function toContact(row: ContactsTable): ContactRecord {
  return {
    sessionId: row.session_id,
    id: row.id,
    phoneJid: row.phone_jid,
    lid: row.lid,
    name: row.name,
    notify: row.notify,
    updatedAt: toMillis(row.updated_at),
  };
}

/** One entry per (session, id), combined in order: one upsert statement may not touch a row twice. */
function combineDuplicates(contacts: ContactRecord[]): ContactRecord[] {
  const byKey = new Map<string, ContactRecord>();
  for (const contact of contacts) {
    const key = JSON.stringify([contact.sessionId, contact.id]);
    const seen = byKey.get(key);
    byKey.set(key, seen ? mergeContact(seen, contact) : contact);
  }
  return [...byKey.values()];
}

export class KyselyContactRepository implements ContactRepository {
  constructor(private readonly db: Db) {}

  /** All or nothing; fields given replace stored ones, null fields keep them. */
  async upsertMany(contacts: ContactRecord[]): Promise<void> {
    const rows = combineDuplicates(contacts).map((c) => ({
      session_id: c.sessionId,
      id: c.id,
      phone_jid: c.phoneJid,
      lid: c.lid,
      name: storableText(c.name),
      notify: storableText(c.notify),
      updated_at: c.updatedAt,
    }));
    if (rows.length === 0) return;
    const run = async (db: typeof this.db): Promise<void> => {
      for (let start = 0; start < rows.length; start += CHUNK) {
        await db
          .insertInto('contacts')
          .values(rows.slice(start, start + CHUNK))
          .onConflict((oc) =>
            oc.columns(['session_id', 'id']).doUpdateSet((eb) => ({
              phone_jid: eb.fn.coalesce('excluded.phone_jid', 'contacts.phone_jid'),
              lid: eb.fn.coalesce('excluded.lid', 'contacts.lid'),
              name: eb.fn.coalesce('excluded.name', 'contacts.name'),
              notify: eb.fn.coalesce('excluded.notify', 'contacts.notify'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
      }
    };
    if (rows.length <= CHUNK || this.db.isTransaction) return run(this.db);
    await this.db.transaction().execute(run);
  }

  async get(sessionId: string, id: string): Promise<ContactRecord | undefined> {
    const row = await this.db
      .selectFrom('contacts')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toContact(row);
  }

  /** Ordered by id: stable across pages. */
  async list(sessionId: string, limit: number, offset: number): Promise<Page<ContactRecord>> {
    const base = this.db.selectFrom('contacts').where('session_id', '=', sessionId);
    const [rows, counted] = await Promise.all([
      base.selectAll().orderBy('id').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toContact), total: Number(counted.total) };
  }

  async deleteBySession(sessionId: string): Promise<void> {
    await this.db.deleteFrom('contacts').where('session_id', '=', sessionId).execute();
  }
}
