/** The one send body of POST /v1/sessions/{id}/messages, and its translation into OutboundContent. */
import { AppError } from '../errors/app-error.ts';
import type { MessageRef, OutboundContent } from '../engines/messaging.ts';
import { normalizePhone } from '../domain/phone.ts';
import { loadMedia, type MediaInput, type MediaLimits } from './media-source.ts';

export const SEND_TYPES = ['text', 'image', 'video', 'audio', 'voice', 'document', 'sticker', 'location', 'contact', 'reaction', 'poll', 'edit', 'delete', 'forward'] as const;
export type SendType = (typeof SEND_TYPES)[number];

export interface SendRequest {
  to: string;
  type: SendType;
  text?: string;
  caption?: string;
  mentions?: string[];
  linkPreview?: boolean;
  media?: MediaInput;
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  contacts?: Array<{ name: string; phone?: string; vcard?: string }>;
  /** The message a reaction, edit, delete or forward is about. */
  messageId?: string;
  emoji?: string;
  poll?: { name: string; options: string[]; selectableCount?: number };
  /** Reply to (quote) this message. */
  replyTo?: string;
}

function need<T>(value: T | undefined, field: string, type: string): T {
  if (value === undefined || value === null || value === '') {
    throw new AppError('VALIDATION_FAILED', `A "${type}" message needs "${field}".`, { field: `body.${field}` });
  }
  return value;
}

function vcardFor(contact: { name: string; phone?: string; vcard?: string }, index: number): { name: string; vcard: string } {
  if (contact.vcard) return { name: contact.name, vcard: contact.vcard };
  const digits = contact.phone ? normalizePhone(contact.phone) : undefined;
  if (!digits) {
    throw new AppError('INVALID_PHONE_NUMBER', `contacts[${index}].phone must be an international phone number (or give a vcard).`, { field: `body.contacts.${index}.phone` });
  }
  const escapedName = contact.name.replace(/[\\;,]/g, (c) => `\\${c}`);
  return { name: contact.name, vcard: `BEGIN:VCARD\nVERSION:3.0\nFN:${escapedName}\nTEL;type=CELL;waid=${digits}:+${digits}\nEND:VCARD` };
}

/** Builds the engine content; `target` resolves a messageId of this session from the store. */
export async function toOutboundContent(
  request: SendRequest,
  target: (messageId: string) => Promise<MessageRef>,
  limits: MediaLimits,
): Promise<OutboundContent> {
  const { type } = request;
  switch (type) {
    case 'text':
      return { type, text: need(request.text, 'text', type), ...(request.mentions ? { mentions: request.mentions } : {}), linkPreview: request.linkPreview ?? false };
    case 'image':
    case 'video':
      return { type, media: await loadMedia(type, need(request.media, 'media', type), limits), ...(request.caption ? { caption: request.caption } : {}), ...(request.mentions ? { mentions: request.mentions } : {}) };
    case 'sticker':
      return { type, media: await loadMedia(type, need(request.media, 'media', type), limits) };
    case 'audio':
    case 'voice':
      return { type: 'audio', media: await loadMedia('audio', need(request.media, 'media', type), limits), ptt: type === 'voice' };
    case 'document':
      return { type, media: await loadMedia(type, need(request.media, 'media', type), limits), ...(request.caption ? { caption: request.caption } : {}) };
    case 'location': {
      const location = need(request.location, 'location', type);
      return { type, ...location };
    }
    case 'contact':
      return { type, contacts: need(request.contacts, 'contacts', type).map(vcardFor) };
    case 'reaction':
      return { type, target: await target(need(request.messageId, 'messageId', type)), emoji: request.emoji ?? '' };
    case 'poll': {
      const poll = need(request.poll, 'poll', type);
      const selectableCount = poll.selectableCount ?? 1;
      if (new Set(poll.options).size !== poll.options.length) {
        throw new AppError('VALIDATION_FAILED', 'poll.options must be different from each other.', { field: 'body.poll.options' });
      }
      if (selectableCount > poll.options.length) {
        throw new AppError('VALIDATION_FAILED', 'poll.selectableCount cannot exceed the number of options.', { field: 'body.poll.selectableCount' });
      }
      return { type, name: poll.name, options: poll.options, selectableCount };
    }
    case 'edit': {
      const message = await target(need(request.messageId, 'messageId', type));
      if (!message.fromMe) throw new AppError('VALIDATION_FAILED', 'Only your own messages can be edited.', { field: 'body.messageId' });
      return { type, target: message, text: need(request.text, 'text', type) };
    }
    case 'delete':
      return { type: 'revoke', target: await target(need(request.messageId, 'messageId', type)) };
    case 'forward':
      return { type, target: await target(need(request.messageId, 'messageId', type)) };
  }
}
