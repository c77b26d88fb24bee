/** Message records and statuses. Pure. */

export const MESSAGE_TYPES = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contact',
  'reaction',
  'poll',
  'poll_vote',
  'edit',
  'revoke',
  'unknown',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Outbound: queued → sent → delivered → read (→ played for voice), or failed. Inbound messages are `received`. */
export const MESSAGE_STATUSES = ['queued', 'sent', 'delivered', 'read', 'played', 'failed', 'received'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

const PROGRESS: Record<MessageStatus, number> = { queued: 0, sent: 1, delivered: 2, read: 3, played: 4, failed: 5, received: 0 };

/** Receipts can arrive out of order or twice; a status never moves backwards, and failed is final. */
export function isStatusAdvance(from: MessageStatus, to: MessageStatus): boolean {
  if (from === 'failed' || from === 'received' || to === 'received') return false;
  if (to === 'failed') return from === 'queued';
  return PROGRESS[to] > PROGRESS[from];
}

export interface MediaInfo {
  mimetype?: string;
  fileName?: string;
  fileLength?: number;
  seconds?: number;
  /** Voice note (push-to-talk). */
  ptt?: boolean;
  /** True when wafleet can serve the bytes through the API. */
  downloadable: boolean;
}

/** What a message says, normalized across engines. Only the fields of its type are set. */
export interface MessageContent {
  text?: string;
  caption?: string;
  media?: MediaInfo;
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  contacts?: Array<{ name: string; vcard: string }>;
  /** reaction: the emoji ('' removes it) and the message it reacts to. */
  reaction?: { emoji: string; targetId: string };
  poll?: { name: string; options: string[]; selectableCount: number };
  /** edit / revoke: the message changed. */
  targetId?: string;
  /** reply: the id of the quoted message. */
  quotedId?: string;
  mentions?: string[];
  forwarded?: boolean;
}

export interface MessageRecord {
  sessionId: string;
  tenantId: string;
  /** WhatsApp's message id (unique within a session). */
  id: string;
  /** The chat: a user JID (phone or LID) or a group JID. */
  chatId: string;
  /** The other address of a 1:1 chat when known (PN ↔ LID). */
  chatAltId: string | null;
  fromMe: boolean;
  /** The author (the participant, in groups); null for own messages. */
  senderId: string | null;
  senderAltId: string | null;
  type: MessageType;
  content: MessageContent;
  status: MessageStatus;
  statusReason: string | null;
  timestamp: number;
  /** The engine's own serialized message, kept for replies, forwards and media downloads. */
  raw: string | null;
  updatedAt: number;
}

export interface ChatRecord {
  sessionId: string;
  chatId: string;
  name: string | null;
  lastMessageAt: number;
  lastMessageId: string | null;
}

export interface ContactRecord {
  sessionId: string;
  /** Primary id as WhatsApp reported it (PN or LID JID). */
  id: string;
  phoneJid: string | null;
  lid: string | null;
  name: string | null;
  notify: string | null;
  updatedAt: number;
}

/** What an engine reports about a contact: a ContactRecord before it is stored. */
export type ContactFacts = Omit<ContactRecord, 'sessionId' | 'updatedAt'>;

/** Contact updates are often partial: a null field means "unknown here", never "erase". */
export function mergeContact<T extends ContactFacts>(older: T, newer: T): T {
  return {
    ...newer,
    phoneJid: newer.phoneJid ?? older.phoneJid,
    lid: newer.lid ?? older.lid,
    name: newer.name ?? older.name,
    notify: newer.notify ?? older.notify,
  };
}
