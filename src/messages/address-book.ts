/**
 * Files every person under one address. WhatsApp names a contact by phone JID in one message and by
 * LID in the next (Baileys 7 reports the other one beside it when WhatsApp sends it); wafleet keeps
 * one chat and one contact per person: the phone JID once known, else the LID (canonicalAddress).
 *
 * A pair learned here is linked in the store (AddressRepository.link, which also re-files what was
 * stored under the LID) inside the caller's transaction. Pairs never change, so the ones the store
 * confirmed are remembered per session; unknown addresses are asked of the store every time, since
 * another node may have learned them meanwhile.
 */
import { canonicalAddress, parseJid, personAddresses, type PersonAddresses } from '../domain/jid.ts';
import type { Repositories } from '../storage/ports.ts';

const MAX_PAIRS = 20_000;

export interface Filed {
  /** The address to file under: the phone JID when known, else the LID (or the input, if neither). */
  id: string;
  /** The person's other address, when known. */
  alt: string | null;
  /** Both addresses as far as known. */
  person: PersonAddresses;
}

export class AddressBook {
  private readonly pairs = new Map<string, PersonAddresses>();

  /**
   * The person `jids` name (any order; nulls ignored), as far as the store knows: links a new pair
   * (re-filing the LID's chat and contact) and answers the canonical address. Not a person (a group,
   * a broadcast) → the first address as is. `learned` collects pairs to remember once committed.
   */
  async person(repos: Repositories, sessionId: string, jids: Array<string | null | undefined>, at: number, learned: PersonAddresses[]): Promise<Filed | undefined> {
    const given = personAddresses(...jids);
    const first = jids.find((jid): jid is string => Boolean(jid));
    const known = await this.resolve(repos, sessionId, given, at, learned);
    const canonical = canonicalAddress(known);
    if (canonical) return { ...canonical, person: known };
    return first ? { id: first, alt: null, person: known } : undefined;
  }

  /** Remembers pairs the store now holds (call after the transaction that linked them committed). */
  remember(sessionId: string, learned: PersonAddresses[]): void {
    for (const pair of learned) {
      if (!pair.lid || !pair.phoneJid) continue;
      if (this.pairs.size >= MAX_PAIRS) this.pairs.clear();
      this.pairs.set(key(sessionId, pair.lid), pair);
      this.pairs.set(key(sessionId, pair.phoneJid), pair);
    }
  }

  private async resolve(repos: Repositories, sessionId: string, given: PersonAddresses, at: number, learned: PersonAddresses[]): Promise<PersonAddresses> {
    if (given.lid && given.phoneJid) {
      const cached = this.pairs.get(key(sessionId, given.lid));
      if (cached?.phoneJid !== given.phoneJid) {
        await repos.addresses.link(sessionId, { lid: given.lid, phoneJid: given.phoneJid }, at);
        learned.push(given);
      }
      return given;
    }
    const one = given.lid ?? given.phoneJid;
    if (!one) return given;
    const cached = this.pairs.get(key(sessionId, one));
    if (cached) return cached;
    const found = await repos.addresses.find(sessionId, one);
    if (found?.lid && found.phoneJid && (found.lid === given.lid || found.phoneJid === given.phoneJid)) {
      learned.push(found);
      return found;
    }
    return given;
  }
}

/**
 * The chat an address a caller gave is filed under (phone JID or LID of a person; groups as they are),
 * from the store alone: for reads and for accepting sends, where nothing new is learned.
 */
export async function chatOf(repos: Pick<Repositories, 'addresses'>, sessionId: string, jid: string): Promise<{ chatId: string; chatAltId: string | null }> {
  if (!isPersonJid(jid)) return { chatId: jid, chatAltId: null };
  const given = personAddresses(jid);
  const found = await repos.addresses.find(sessionId, jid);
  const known = found && ((given.lid && found.lid === given.lid) || (given.phoneJid && found.phoneJid === given.phoneJid)) ? found : given;
  const canonical = canonicalAddress(known);
  return canonical ? { chatId: canonical.id, chatAltId: canonical.alt } : { chatId: jid, chatAltId: null };
}

/** True for the 1:1 chat address of a person (not a group, broadcast or newsletter). */
export function isPersonJid(jid: string): boolean {
  const kind = parseJid(jid)?.kind;
  return kind === 'user' || kind === 'lid';
}

function key(sessionId: string, jid: string): string {
  return `${sessionId}\u0000${jid}`;
}
