/**
 * What this connection has already stored about each contact, so the same facts are not written
 * again. Baileys reports the sender's push name with every inbound message (`contacts.update`), and
 * storing it each time was a transaction of its own per message — the one write in the inbound path
 * that almost never changes anything (bench:events: 38 µs plus a commit, per message).
 *
 * Belongs to one connection: the runtime starts a fresh one on every connect, so after a takeover
 * by another node and back, the first sighting of each contact is written again. Bounded: past
 * MAX_CONTACTS it starts over, which only costs writes.
 */
import { mergeContact, type ContactFacts } from '../domain/messages.ts';

const MAX_CONTACTS = 5_000;
const FIELDS = ['phoneJid', 'lid', 'name', 'notify'] as const;

export class KnownContacts {
  private readonly known = new Map<string, ContactFacts>();

  /**
   * The contacts that say something not yet stored, and remembers them as stored. A null field means
   * "unknown here" (the store keeps its value), so it never counts as news.
   */
  news(contacts: ContactFacts[]): ContactFacts[] {
    const fresh: ContactFacts[] = [];
    for (const contact of contacts) {
      const seen = this.known.get(contact.id);
      if (seen && FIELDS.every((field) => contact[field] === null || contact[field] === seen[field])) continue;
      fresh.push(contact);
      if (this.known.size >= MAX_CONTACTS && !seen) this.known.clear();
      this.known.set(contact.id, seen ? mergeContact(seen, contact) : { ...contact });
    }
    return fresh;
  }

  /** Forget one that may not have been stored after all (the write failed). */
  forget(contacts: ContactFacts[]): void {
    for (const contact of contacts) this.known.delete(contact.id);
  }
}
