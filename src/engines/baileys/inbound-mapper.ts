/** Baileys WAMessage → wafleet's NormalizedMessage. Pure; table-tested. */
import { BufferJSON, jidNormalizedUser, normalizeMessageContent, proto, type WAMessage } from 'baileys';
import type { MediaInfo, MessageContent, MessageType } from '../../domain/messages.ts';
import type { NormalizedMessage } from '../messaging.ts';

type Content = proto.IMessage;

function seconds(value: WAMessage['messageTimestamp']): number {
  if (value === null || value === undefined) return Date.now();
  return Number(typeof value === 'number' ? value : value.toString()) * 1000;
}

function normalizeJid(jid: string | null | undefined): string | null {
  return jid ? jidNormalizedUser(jid) : null;
}

function media(message: proto.Message.IImageMessage & proto.Message.IDocumentMessage & proto.Message.IAudioMessage): MediaInfo {
  return {
    ...(message.mimetype ? { mimetype: message.mimetype } : {}),
    ...(message.fileName ? { fileName: message.fileName } : {}),
    ...(message.fileLength !== null && message.fileLength !== undefined ? { fileLength: Number(message.fileLength.toString()) } : {}),
    ...(message.seconds ? { seconds: message.seconds } : {}),
    ...(message.ptt ? { ptt: true } : {}),
    downloadable: Boolean(message.directPath || message.url),
  };
}

function contextOf(content: Content): proto.IContextInfo | null | undefined {
  const inner =
    content.extendedTextMessage ?? content.imageMessage ?? content.videoMessage ?? content.audioMessage ??
    content.documentMessage ?? content.stickerMessage ?? content.locationMessage ?? content.contactMessage;
  return inner?.contextInfo;
}

/** The type and content of a message, or undefined for protocol noise (key shares, history sync…). */
export function describeContent(content: Content): { type: MessageType; content: MessageContent } | undefined {
  if (content.conversation || content.extendedTextMessage?.text) {
    return { type: 'text', content: { text: content.conversation ?? content.extendedTextMessage?.text ?? '' } };
  }
  const mediaKinds = [
    ['image', content.imageMessage],
    ['video', content.videoMessage],
    ['audio', content.audioMessage],
    ['document', content.documentMessage],
    ['sticker', content.stickerMessage],
  ] as const;
  for (const [type, message] of mediaKinds) {
    if (message) {
      const caption = 'caption' in message ? message.caption : undefined;
      return { type, content: { media: media(message as never), ...(caption ? { caption } : {}) } };
    }
  }
  const location = content.locationMessage ?? content.liveLocationMessage;
  if (location) {
    return {
      type: 'location',
      content: {
        location: {
          latitude: location.degreesLatitude ?? 0,
          longitude: location.degreesLongitude ?? 0,
          ...('name' in location && location.name ? { name: location.name } : {}),
          ...('address' in location && location.address ? { address: location.address } : {}),
        },
      },
    };
  }
  const contacts = content.contactMessage ? [content.contactMessage] : content.contactsArrayMessage?.contacts;
  if (contacts?.length) {
    return { type: 'contact', content: { contacts: contacts.map((c) => ({ name: c.displayName ?? '', vcard: c.vcard ?? '' })) } };
  }
  if (content.reactionMessage) {
    return { type: 'reaction', content: { reaction: { emoji: content.reactionMessage.text ?? '', targetId: content.reactionMessage.key?.id ?? '' } } };
  }
  const poll = content.pollCreationMessage ?? content.pollCreationMessageV2 ?? content.pollCreationMessageV3;
  if (poll) {
    return {
      type: 'poll',
      content: { poll: { name: poll.name ?? '', options: (poll.options ?? []).map((o) => o.optionName ?? ''), selectableCount: poll.selectableOptionsCount ?? 0 } },
    };
  }
  if (content.pollUpdateMessage) {
    return { type: 'poll_vote', content: { targetId: content.pollUpdateMessage.pollCreationMessageKey?.id ?? '' } };
  }
  const protocol = content.protocolMessage;
  if (protocol?.type === proto.Message.ProtocolMessage.Type.REVOKE) {
    return { type: 'revoke', content: { targetId: protocol.key?.id ?? '' } };
  }
  if (protocol?.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT) {
    const edited = normalizeMessageContent(protocol.editedMessage);
    const text = edited?.conversation ?? edited?.extendedTextMessage?.text ?? edited?.imageMessage?.caption ?? '';
    return { type: 'edit', content: { targetId: protocol.key?.id ?? '', text } };
  }
  return undefined;
}

export function normalizeMessage(message: WAMessage): NormalizedMessage | undefined {
  const content = normalizeMessageContent(message.message);
  const key = message.key;
  if (!content || !key.id || !key.remoteJid || key.remoteJid === 'status@broadcast') return undefined;
  const described = describeContent(content);
  if (!described) return undefined;
  const context = contextOf(content);
  const isGroup = key.remoteJid.endsWith('@g.us');
  const fromMe = Boolean(key.fromMe);
  const quotedId = context?.stanzaId;
  const mentions = context?.mentionedJid?.length ? context.mentionedJid : undefined;
  return {
    id: key.id,
    chatId: jidNormalizedUser(key.remoteJid),
    chatAltId: normalizeJid(key.remoteJidAlt),
    fromMe,
    senderId: fromMe ? null : normalizeJid(isGroup ? key.participant : key.remoteJid),
    senderAltId: fromMe ? null : normalizeJid(isGroup ? key.participantAlt : key.remoteJidAlt),
    type: described.type,
    content: {
      ...described.content,
      ...(quotedId ? { quotedId } : {}),
      ...(mentions ? { mentions } : {}),
      ...(context?.isForwarded ? { forwarded: true } : {}),
    },
    status: fromMe ? 'sent' : 'received',
    timestamp: seconds(message.messageTimestamp),
    raw: JSON.stringify(message, BufferJSON.replacer),
  };
}
