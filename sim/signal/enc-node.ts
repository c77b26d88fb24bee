import { type BinaryNode, getBinaryNodeChildren, proto } from 'baileys';
import type { DeviceBundle, EncPayload } from './types.ts';
import type { VirtualDevice } from './virtual-device.ts';

/** `<enc v="2" type="pkmsg|msg|skmsg">ciphertext</enc>`, the element Baileys decrypts. */
export function buildEncNode(payload: EncPayload, attrs: Record<string, string> = {}): BinaryNode {
  return { tag: 'enc', attrs: { v: '2', type: payload.type, ...attrs }, content: Buffer.from(payload.ciphertext) };
}

/** Reads an `<enc>` element back into a payload (rejects unknown types rather than guessing). */
export function readEncNode(node: BinaryNode): EncPayload {
  const type = node.attrs.type;
  if (type !== 'pkmsg' && type !== 'msg' && type !== 'skmsg') throw new Error(`unsupported enc type: ${type}`);
  if (!(node.content instanceof Uint8Array)) throw new Error('<enc> without binary content');
  return { type, ciphertext: node.content };
}

/** All `<enc>` children of a delivered `<message>` stanza, in order (pairwise before skmsg). */
export function encNodesOf(stanza: BinaryNode): BinaryNode[] {
  return getBinaryNodeChildren(stanza, 'enc');
}

/** Encrypts `message` from `device` to one Baileys device and wraps it as an `<enc>` node. */
export async function buildEncNodeFor(
  device: VirtualDevice,
  remoteJid: string,
  message: proto.IMessage,
  bundle?: DeviceBundle,
): Promise<BinaryNode> {
  return buildEncNode(await device.encrypt(remoteJid, message, bundle));
}

/**
 * The stanza `type` attribute a real sender uses for this content (Baileys' getMessageType
 * logic in spirit): reactions and polls are distinguished, media is `media`, the rest `text`.
 */
export function stanzaTypeFor(message: proto.IMessage): 'text' | 'media' | 'reaction' | 'poll' {
  if (message.reactionMessage || message.encReactionMessage) return 'reaction';
  if (message.pollCreationMessage || message.pollCreationMessageV2 || message.pollCreationMessageV3 || message.pollUpdateMessage) {
    return 'poll';
  }
  const media = ['imageMessage', 'videoMessage', 'audioMessage', 'documentMessage', 'stickerMessage'] as const;
  return media.some((key) => message[key]) ? 'media' : 'text';
}

export interface MessageStanzaOptions {
  id: string;
  /** Sending device as the receiver must see it (1:1) or the group JID (then set `participant`). */
  from: string;
  participant?: string;
  /** Unix seconds; defaults to now. */
  t?: number;
  type?: string;
  /** Push name shown to the receiver. */
  notify?: string;
  /** `peer` for messages between one account's own devices (the post-link bootstrap). */
  category?: string;
  attrs?: Record<string, string>;
}

/** A `<message>` stanza as the server delivers it to one device. */
export function buildMessageStanza(options: MessageStanzaOptions, content: BinaryNode[]): BinaryNode {
  const attrs: Record<string, string> = {
    id: options.id,
    from: options.from,
    t: String(options.t ?? Math.floor(Date.now() / 1000)),
    type: options.type ?? 'text',
  };
  if (options.participant) attrs.participant = options.participant;
  if (options.notify) attrs.notify = options.notify;
  if (options.category) attrs.category = options.category;
  return { tag: 'message', attrs: { ...attrs, ...options.attrs }, content };
}
