import {
  type BinaryNode,
  encodeBigEndian,
  getBinaryNodeChild,
  getBinaryNodeChildBuffer,
  getBinaryNodeChildren,
  getBinaryNodeChildUInt,
  KEY_BUNDLE_TYPE,
} from 'baileys';
import type { DeviceBundle, PreKeyPublic, SignedPreKeyPublic, UploadedKeys } from './types.ts';

/*
 * Conversions between the key-directory records and the XML-ish nodes Baileys speaks:
 *  - upload:  <iq xmlns=encrypt type=set><registration/><type/><identity/><list><key/>…</list><skey/></iq>
 *  - fetch:   <iq type=result><list><user jid><registration/><type/><identity/><skey/>[<key/>]</user>…</list></iq>
 * Ids are big-endian: registration 4 bytes, key ids 3 bytes (what Baileys' getBinaryNodeChildUInt reads).
 */

function requireBuffer(node: BinaryNode | undefined, tag: string): Buffer {
  const value = node ? getBinaryNodeChildBuffer(node, tag) : undefined;
  if (!value) throw new Error(`key node <${node?.tag ?? '?'}> lacks <${tag}>`);
  return Buffer.from(value);
}

function requireUInt(node: BinaryNode, tag: string, length: number): number {
  const value = getBinaryNodeChildUInt(node, tag, length);
  if (typeof value !== 'number') throw new Error(`key node <${node.tag}> lacks <${tag}>`);
  return value;
}

function parsePreKey(node: BinaryNode): PreKeyPublic {
  return { keyId: requireUInt(node, 'id', 3), publicKey: requireBuffer(node, 'value') };
}

function parseSignedPreKey(node: BinaryNode | undefined): SignedPreKeyPublic {
  if (!node) throw new Error('key bundle lacks <skey>');
  return { ...parsePreKey(node), signature: requireBuffer(node, 'signature') };
}

/** Parses the prekey upload (`encrypt set` IQ) a Baileys device sends after login. */
export function parsePreKeyUpload(iq: BinaryNode): UploadedKeys {
  const list = getBinaryNodeChild(iq, 'list');
  return {
    registrationId: requireUInt(iq, 'registration', 4),
    identityKey: requireBuffer(iq, 'identity'),
    signedPreKey: parseSignedPreKey(getBinaryNodeChild(iq, 'skey')),
    preKeys: list ? getBinaryNodeChildren(list, 'key').map(parsePreKey) : [],
  };
}

/** Parses one `<user>` of an `encrypt get <key>` answer (what a client receives). */
export function parseKeyBundleUser(user: BinaryNode): DeviceBundle {
  const key = getBinaryNodeChild(user, 'key');
  return {
    registrationId: requireUInt(user, 'registration', 4),
    identityKey: requireBuffer(user, 'identity'),
    signedPreKey: parseSignedPreKey(getBinaryNodeChild(user, 'skey')),
    ...(key ? { preKey: parsePreKey(key) } : {}),
  };
}

function keyNode(tag: 'key' | 'skey', key: PreKeyPublic | SignedPreKeyPublic): BinaryNode {
  const content: BinaryNode[] = [
    { tag: 'id', attrs: {}, content: encodeBigEndian(key.keyId, 3) },
    { tag: 'value', attrs: {}, content: Buffer.from(key.publicKey) },
  ];
  if ('signature' in key) content.push({ tag: 'signature', attrs: {}, content: Buffer.from(key.signature) });
  return { tag, attrs: {}, content };
}

/** Builds the `<user jid>` entry of an `encrypt get <key>` answer, as Baileys' parseAndInjectE2ESessions reads it. */
export function buildKeyBundleUser(jid: string, bundle: DeviceBundle): BinaryNode {
  const content: BinaryNode[] = [
    { tag: 'registration', attrs: {}, content: encodeBigEndian(bundle.registrationId, 4) },
    { tag: 'type', attrs: {}, content: Buffer.from(KEY_BUNDLE_TYPE) },
    { tag: 'identity', attrs: {}, content: Buffer.from(bundle.identityKey) },
    keyNode('skey', bundle.signedPreKey),
  ];
  if (bundle.preKey) content.push(keyNode('key', bundle.preKey));
  return { tag: 'user', attrs: { jid }, content };
}

/**
 * Takes a bundle out of a key-directory entry. With `consume` (the default, and what the real
 * server does) the one-time prekey handed out is removed from `keys.preKeys`, so no two
 * senders get the same one; when none is left the bundle has only the signed prekey, which
 * libsignal and Baileys both accept.
 */
export function takeBundle(keys: UploadedKeys, consume = true): DeviceBundle {
  const preKey = consume ? keys.preKeys.shift() : keys.preKeys[0];
  const { registrationId, identityKey, signedPreKey } = keys;
  return { registrationId, identityKey, signedPreKey, ...(preKey ? { preKey } : {}) };
}
