/** WhatsApp addresses (JIDs). Pure. */
import { normalizePhone } from './phone.ts';

export const USER_SERVER = 's.whatsapp.net';
export const LID_SERVER = 'lid';
export const GROUP_SERVER = 'g.us';

export type JidKind = 'user' | 'lid' | 'group';

const JID = /^([0-9]{1,24}(?:-[0-9]{1,24})?)(?::[0-9]{1,3})?@(s\.whatsapp\.net|lid|g\.us)$/;

export interface ParsedJid {
  jid: string;
  kind: JidKind;
  user: string;
}

/** Parses a JID, dropping any device suffix (`123:4@s.whatsapp.net` → `123@s.whatsapp.net`). */
export function parseJid(value: string): ParsedJid | undefined {
  const match = JID.exec(value.trim().toLowerCase());
  if (!match) return undefined;
  const [, user = '', server] = match;
  if (server === GROUP_SERVER) return { jid: `${user}@${GROUP_SERVER}`, kind: 'group', user };
  if (user.includes('-')) return undefined;
  return server === LID_SERVER ? { jid: `${user}@${LID_SERVER}`, kind: 'lid', user } : { jid: `${user}@${USER_SERVER}`, kind: 'user', user };
}

/** A recipient as a caller writes it: a phone number (digits, optional +) or a user, LID or group JID. */
export function resolveRecipient(to: string): ParsedJid | undefined {
  if (to.includes('@')) return parseJid(to);
  const digits = normalizePhone(to);
  return digits ? { jid: `${digits}@${USER_SERVER}`, kind: 'user', user: digits } : undefined;
}

/**
 * One person's two WhatsApp addresses: the phone-number JID and the LID. WhatsApp addresses most
 * users by LID now and tells the phone number beside it (or the other way round) when it can.
 */
export interface PersonAddresses {
  lid: string | null;
  phoneJid: string | null;
}

/** Sorts addresses (any order, device suffixes allowed) into a person's LID and phone JID. */
export function personAddresses(...jids: Array<string | null | undefined>): PersonAddresses {
  const found: PersonAddresses = { lid: null, phoneJid: null };
  for (const value of jids) {
    const parsed = value ? parseJid(value) : undefined;
    if (parsed?.kind === 'lid') found.lid ??= parsed.jid;
    else if (parsed?.kind === 'user') found.phoneJid ??= parsed.jid;
  }
  return found;
}

/**
 * The address wafleet files a person under: the phone JID once it is known (what callers send to and
 * recognise), else the LID. The other one, when known, travels beside it as the "alt" address.
 */
export function canonicalAddress(person: PersonAddresses): { id: string; alt: string | null } | undefined {
  if (person.phoneJid) return { id: person.phoneJid, alt: person.lid };
  return person.lid ? { id: person.lid, alt: null } : undefined;
}
