import { SEND_TYPES } from '../../messages/send-request.ts';
import { MESSAGE_STATUSES, MESSAGE_TYPES } from '../../domain/messages.ts';

const jidOrPhone = { type: 'string', minLength: 3, maxLength: 100 } as const;
const messageId = { type: 'string', minLength: 1, maxLength: 128 } as const;

export const mediaInput = {
  type: 'object',
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 4096 },
    base64: { type: 'string', minLength: 1 },
    mimetype: { type: 'string', minLength: 3, maxLength: 200 },
    fileName: { type: 'string', minLength: 1, maxLength: 255 },
  },
  additionalProperties: false,
} as const;

export const sendBody = {
  type: 'object',
  required: ['to', 'type'],
  additionalProperties: false,
  properties: {
    to: jidOrPhone,
    type: { type: 'string', enum: [...SEND_TYPES] },
    text: { type: 'string', minLength: 1, maxLength: 65536 },
    caption: { type: 'string', maxLength: 4096 },
    mentions: { type: 'array', items: jidOrPhone, maxItems: 256 },
    linkPreview: { type: 'boolean' },
    media: mediaInput,
    location: {
      type: 'object',
      required: ['latitude', 'longitude'],
      additionalProperties: false,
      properties: {
        latitude: { type: 'number', minimum: -90, maximum: 90 },
        longitude: { type: 'number', minimum: -180, maximum: 180 },
        name: { type: 'string', maxLength: 1000 },
        address: { type: 'string', maxLength: 1000 },
      },
    },
    contacts: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, phone: { type: 'string', maxLength: 32 }, vcard: { type: 'string', maxLength: 10000 } },
      },
    },
    messageId,
    emoji: { type: 'string', maxLength: 32 },
    poll: {
      type: 'object',
      required: ['name', 'options'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 255 },
        options: { type: 'array', minItems: 2, maxItems: 12, items: { type: 'string', minLength: 1, maxLength: 100 } },
        selectableCount: { type: 'integer', minimum: 0, maximum: 12 },
      },
    },
    replyTo: messageId,
  },
} as const;

/** A contact: one per person, filed under the phone JID once known (see docs/api.md, Addressing). */
export const contactView = {
  type: 'object',
  additionalProperties: true,
  properties: {
    id: { type: 'string', description: 'The phone JID once known, else the LID.' },
    phoneJid: { type: ['string', 'null'] },
    lid: { type: ['string', 'null'] },
    name: { type: ['string', 'null'] },
    notify: { type: ['string', 'null'], description: 'The push name the contact chose.' },
    updatedAt: { type: 'number' },
  },
} as const;

export const messageView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    chatId: { type: 'string', description: "The chat: a group JID, or the person's phone JID once known, else their LID (one chat per person)." },
    chatAltId: { type: ['string', 'null'], description: "1:1 chats: the person's other address (the LID beside the phone JID), when known." },
    fromMe: { type: 'boolean' },
    senderId: { type: ['string', 'null'], description: 'The author (null for own messages): phone JID once known, else LID.' },
    senderAltId: { type: ['string', 'null'], description: "The author's LID beside the phone JID, when known." },
    type: { type: 'string', enum: [...MESSAGE_TYPES] },
    content: { type: 'object', additionalProperties: true },
    status: { type: 'string', enum: [...MESSAGE_STATUSES] },
    statusReason: { type: ['string', 'null'] },
    timestamp: { type: 'integer' },
    updatedAt: { type: 'integer' },
  },
} as const;
