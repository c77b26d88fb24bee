/**
 * A queued send as stored: the OutboundMessage as JSON, media bytes as base64, so any node can
 * send it later without the original request (or the media URL, which may be gone by then).
 */
import type { OutboundMessage } from '../engines/messaging.ts';

type StoredMedia = { mimetype: string; fileName?: string; base64: string };

export function serializeOutbound(message: OutboundMessage): string {
  const { content } = message;
  if (!('media' in content)) return JSON.stringify(message);
  // Straight to base64: Buffer#toJSON would first build an array of every byte.
  const { data, ...rest } = content.media;
  const media: StoredMedia = { ...rest, base64: data.toString('base64') };
  return JSON.stringify({ ...message, content: { ...content, media } });
}

export function parseOutbound(payload: string): OutboundMessage {
  const message = JSON.parse(payload) as OutboundMessage;
  const { content } = message;
  if ('media' in content) {
    const { base64, ...rest } = content.media as unknown as StoredMedia;
    return { ...message, content: { ...content, media: { ...rest, data: Buffer.from(base64, 'base64') } } };
  }
  return message;
}
