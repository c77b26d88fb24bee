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
