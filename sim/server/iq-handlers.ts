import { type BinaryNode, getBinaryNodeChild, jidDecode } from 'baileys';
import { buildKeyBundleUser, parsePreKeyUpload, takeBundle } from '../signal/index.ts';
import { childrenOf, iqResult, type SimContext } from './context.ts';
import type { Connection } from './connection.ts';
import { answerUsync } from './usync.ts';
import { answerBlocklist } from './blocklist.ts';

/*
 * Post-login IQs. Every IQ gets an answer: Baileys waits up to 60 s for one, so an unknown
 * IQ is answered with a plain `type=result` rather than ignored.
 */

function answerEncrypt(ctx: SimContext, conn: Connection, iq: BinaryNode): BinaryNode {
  const phone = conn.phone!;
  const device = conn.device!;
  const first = childrenOf(iq)[0];
  if (iq.attrs.type === 'get' && first?.tag === 'count') {
    const count = ctx.store.keys(phone, device)?.preKeys.length ?? 0;
    return iqResult(iq, [{ tag: 'count', attrs: { value: String(count) } }]);
  }
  if (iq.attrs.type === 'get' && first?.tag === 'digest') {
    return iqResult(iq, [{ tag: 'digest', attrs: {} }]);
  }
  if (iq.attrs.type === 'get' && first?.tag === 'key') {
    return iqResult(iq, [{ tag: 'list', attrs: {}, content: fetchBundles(ctx, first) }]);
  }
  if (iq.attrs.type === 'set' && first?.tag === 'rotate') {
    const keys = ctx.store.keys(phone, device);
    const skey = getBinaryNodeChild(first, 'skey');
    if (keys && skey) {
      const parsed = parsePreKeyUpload({ tag: 'iq', attrs: {}, content: [...requiredFrom(keys), skey] });
      keys.signedPreKey = parsed.signedPreKey;
      ctx.store.changed();
    }
    return iqResult(iq);
  }
  if (iq.attrs.type === 'set') {
    const upload = parsePreKeyUpload(iq);
    const previous = ctx.store.keys(phone, device);
    // Keep unconsumed prekeys of earlier uploads: Baileys uploads in batches.
    const known = new Set(upload.preKeys.map((k) => k.keyId));
    const kept = (previous?.preKeys ?? []).filter((k) => !known.has(k.keyId));
    ctx.store.setKeys(phone, device, { ...upload, preKeys: [...kept, ...upload.preKeys] });
    return iqResult(iq);
  }
  return iqResult(iq);
}

/** A rotate IQ carries only `<skey>`; borrow the rest so the shared parser accepts it. */
function requiredFrom(keys: { registrationId: number; identityKey: Uint8Array }): BinaryNode[] {
  const reg = Buffer.alloc(4);
  reg.writeUInt32BE(keys.registrationId);
  return [
    { tag: 'registration', attrs: {}, content: reg },
    { tag: 'identity', attrs: {}, content: Buffer.from(keys.identityKey) },
  ];
}

/** `encrypt get <key><user jid/>…`: one bundle per known device, consuming a one-time prekey each. */
function fetchBundles(ctx: SimContext, keyNode: BinaryNode): BinaryNode[] {
  const users: BinaryNode[] = [];
  for (const user of childrenOf(keyNode)) {
    const decoded = user.attrs.jid ? jidDecode(user.attrs.jid) : undefined;
    if (!decoded) continue;
    const account = ctx.store.accountByUser(decoded.user, decoded.server);
    const keys = account ? ctx.store.keys(account.phone, decoded.device ?? 0) : undefined;
    if (!account || !keys) continue;
    users.push(buildKeyBundleUser(user.attrs.jid!, takeBundle(keys)));
    ctx.store.changed();
  }
  return users;
}

const DEFAULT_PRIVACY: Record<string, string> = {
  last: 'all',
  online: 'all',
  profile: 'all',
  status: 'all',
  readreceipts: 'all',
  groupadd: 'all',
  calladd: 'all',
  messages: 'all',
};

function answerAppStateSync(iq: BinaryNode): BinaryNode {
  const sync = getBinaryNodeChild(iq, 'sync');
  const collections = childrenOf(sync).map((c) => ({
    tag: 'collection',
    attrs: { name: c.attrs.name ?? '', version: c.attrs.version ?? '0' },
  }));
  return iqResult(iq, [{ tag: 'sync', attrs: {}, content: collections }]);
}

/** Answers a post-login IQ (or returns undefined when it is a result/error the client sent). */
export function answerIq(ctx: SimContext, conn: Connection, iq: BinaryNode): BinaryNode | undefined {
  const { xmlns, type } = iq.attrs;
  if (type === 'result' || type === 'error') return undefined;
  switch (xmlns) {
    case 'encrypt':
      return answerEncrypt(ctx, conn, iq);
    case 'usync':
      return answerUsync(ctx, iq);
    case 'abt':
      return iqResult(iq, [{ tag: 'props', attrs: { protocol: '1', hash: 'sim', refresh: '86400' } }]);
    case 'blocklist':
      return answerBlocklist(ctx, conn, iq);
    case 'privacy':
      if (type === 'get' && getBinaryNodeChild(iq, 'privacy')) {
        const categories = Object.entries(DEFAULT_PRIVACY).map(([name, value]) => ({ tag: 'category', attrs: { name, value } }));
        return iqResult(iq, [{ tag: 'privacy', attrs: {}, content: categories }]);
      }
      return iqResult(iq);
    case 'w:sync:app:state':
      return answerAppStateSync(iq);
    default:
      // passive, w:p (ping), w:stats, dirty, disappearing_mode, …: a plain result is what they need.
      return iqResult(iq);
  }
}
