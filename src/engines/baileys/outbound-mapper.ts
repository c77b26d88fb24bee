/** wafleet's OutboundContent → Baileys' AnyMessageContent. Pure; table-tested. */
import { BufferJSON, type AnyMessageContent, type WAMessage, type WAMessageKey } from 'baileys';
import type { MessageRef, OutboundContent } from '../messaging.ts';
import { AppError } from '../../errors/app-error.ts';

export function refToKey(ref: MessageRef): WAMessageKey {
  return {
    remoteJid: ref.chatId,
    id: ref.id,
    fromMe: ref.fromMe,
    ...(ref.senderId && ref.chatId.endsWith('@g.us') ? { participant: ref.senderId } : {}),
  };
}

/** The stored WAMessage behind a ref; replies and forwards need the whole message, not just its key. */
export function refToMessage(ref: MessageRef): WAMessage {
  if (!ref.raw) {
    throw new AppError('VALIDATION_FAILED', `Message "${ref.id}" has no stored content to quote or forward.`);
  }
  return JSON.parse(ref.raw, BufferJSON.reviver) as WAMessage;
}

export function toBaileysContent(content: OutboundContent): AnyMessageContent {
  switch (content.type) {
    case 'text':
      // Link previews need an outbound fetch of the URL; off unless asked for.
      return { text: content.text, ...(content.mentions ? { mentions: content.mentions } : {}), ...(content.linkPreview ? {} : { linkPreview: null }) };
    case 'image':
      return { image: content.media.data, mimetype: content.media.mimetype, ...(content.caption ? { caption: content.caption } : {}), ...(content.mentions ? { mentions: content.mentions } : {}) };
    case 'video':
      return { video: content.media.data, mimetype: content.media.mimetype, ...(content.caption ? { caption: content.caption } : {}), ...(content.mentions ? { mentions: content.mentions } : {}) };
    case 'sticker':
      return { sticker: content.media.data, mimetype: content.media.mimetype };
    case 'audio':
      return { audio: content.media.data, mimetype: content.media.mimetype, ptt: content.ptt ?? false };
    case 'document':
      return {
        document: content.media.data,
        mimetype: content.media.mimetype,
        fileName: content.media.fileName ?? 'file',
        ...(content.caption ? { caption: content.caption } : {}),
      };
    case 'location':
      return {
        location: {
          degreesLatitude: content.latitude,
          degreesLongitude: content.longitude,
          ...(content.name ? { name: content.name } : {}),
          ...(content.address ? { address: content.address } : {}),
        },
      };
    case 'contact':
      return {
        contacts: {
          displayName: content.contacts.length === 1 ? content.contacts[0]!.name : `${content.contacts.length} contacts`,
          contacts: content.contacts.map((contact) => ({ displayName: contact.name, vcard: contact.vcard })),
        },
      };
    case 'reaction':
      return { react: { text: content.emoji, key: refToKey(content.target) } };
    case 'poll':
      return { poll: { name: content.name, values: content.options, selectableCount: content.selectableCount } };
    case 'edit':
      return { text: content.text, edit: refToKey(content.target) };
    case 'revoke':
      return { delete: refToKey(content.target) };
    case 'forward':
      return { forward: refToMessage(content.target) };
  }
}
