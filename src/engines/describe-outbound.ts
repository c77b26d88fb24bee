/** How an outbound message is recorded before the engine reports it back: engine-independent, next to the port types. */
import type { MessageContent, MessageType } from '../domain/messages.ts';
import type { OutboundContent } from './messaging.ts';

export function describeOutbound(content: OutboundContent): { type: MessageType; content: MessageContent } {
  switch (content.type) {
    case 'text':
      return { type: 'text', content: { text: content.text, ...(content.mentions ? { mentions: content.mentions } : {}) } };
    case 'image':
    case 'video':
    case 'sticker':
    case 'audio':
    case 'document': {
      const caption = 'caption' in content ? content.caption : undefined;
      const media = { mimetype: content.media.mimetype, fileLength: content.media.data.length, downloadable: false, ...(content.media.fileName ? { fileName: content.media.fileName } : {}) };
      return { type: content.type, content: { media, ...(caption ? { caption } : {}) } };
    }
    case 'location':
      return { type: 'location', content: { location: { latitude: content.latitude, longitude: content.longitude, ...(content.name ? { name: content.name } : {}), ...(content.address ? { address: content.address } : {}) } } };
    case 'contact':
      return { type: 'contact', content: { contacts: content.contacts } };
    case 'reaction':
      return { type: 'reaction', content: { reaction: { emoji: content.emoji, targetId: content.target.id } } };
    case 'poll':
      return { type: 'poll', content: { poll: { name: content.name, options: content.options, selectableCount: content.selectableCount } } };
    case 'edit':
      return { type: 'edit', content: { targetId: content.target.id, text: content.text } };
    case 'revoke':
      return { type: 'revoke', content: { targetId: content.target.id } };
    case 'forward':
      return { type: 'unknown', content: { targetId: content.target.id, forwarded: true } };
  }
}
