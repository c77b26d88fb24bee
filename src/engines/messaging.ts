/**
 * The messaging half of the engine port: what a caller can send and what an engine reports back,
 * in wafleet's own normalized shapes. Engines translate to and from their library's types.
 */
import type { MessageContent, MessageRecord, MessageStatus, MessageType } from '../domain/messages.ts';

/** A stored message an outbound message refers to (reply, reaction, edit, delete, forward). */
export interface MessageRef {
  id: string;
  chatId: string;
  fromMe: boolean;
  senderId: string | null;
  /** The engine's serialized message (needed to quote or forward it). */
  raw: string | null;
}

export interface MediaPayload {
  data: Buffer;
  mimetype: string;
  fileName?: string;
}

export type OutboundContent =
  | { type: 'text'; text: string; mentions?: string[]; linkPreview?: boolean }
  | { type: 'image' | 'video' | 'sticker'; media: MediaPayload; caption?: string; mentions?: string[] }
  | { type: 'audio'; media: MediaPayload; ptt?: boolean }
  | { type: 'document'; media: MediaPayload; caption?: string }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { type: 'contact'; contacts: Array<{ name: string; vcard: string }> }
  | { type: 'reaction'; target: MessageRef; emoji: string }
  | { type: 'poll'; name: string; options: string[]; selectableCount: number }
  | { type: 'edit'; target: MessageRef; text: string }
  | { type: 'revoke'; target: MessageRef }
  | { type: 'forward'; target: MessageRef };

export interface OutboundMessage {
  /** Recipient JID (user, LID or group). */
  to: string;
  /** Assigned before the first attempt, so a retry can never produce a second message. */
  id: string;
  content: OutboundContent;
  /** Reply to this message. */
  quoted?: MessageRef;
}

export interface SentMessage {
  id: string;
  chatId: string;
  timestamp: number;
  type: MessageType;
  content: MessageContent;
  raw: string | null;
}

/** A message as an engine reports it (received, or sent from another device of the account). */
export type NormalizedMessage = Omit<MessageRecord, 'sessionId' | 'tenantId' | 'updatedAt' | 'statusReason'>;

export interface MessageStatusUpdate {
  id: string;
  chatId: string;
  status: MessageStatus;
  /** For group messages: who read or received it. */
  participant?: string;
}

export interface DownloadedMedia {
  data: Buffer;
  mimetype: string;
  fileName?: string;
}

export interface PresenceUpdate {
  chatId: string;
  participant: string;
  presence: string;
  lastSeen?: number;
}
