import { type BinaryNode, getBinaryNodeChild, jidDecode } from 'baileys';
import type { AccountRecord } from '../state/types.ts';
import { childrenOf, iqResult, type SimContext } from './context.ts';

/*
 * `<iq xmlns=usync>`: answers the protocols Baileys asks for per user — devices (v2, with
 * key-index on non-zero devices or Baileys drops them), lid, contact (onWhatsApp), status,
 * disappearing_mode. Unknown protocols are left out, which Baileys' parser tolerates.
 */

function devicesNode(ctx: SimContext, account: AccountRecord): BinaryNode {
  const devices = ctx.deviceIds(account).map((id): BinaryNode => {
    const keyIndex = account.devices[String(id)]?.keyIndex;
    return { tag: 'device', attrs: id === 0 || !keyIndex ? { id: String(id) } : { id: String(id), 'key-index': String(keyIndex) } };
  });
  return {
    tag: 'devices',
    attrs: {},
    content: [
      { tag: 'device-list', attrs: {}, content: devices },
      { tag: 'key-index-list', attrs: { ts: String(Math.floor(account.createdAt / 1000)) }, content: Buffer.alloc(0) },
    ],
  };
}

function protocolNode(ctx: SimContext, tag: string, account: AccountRecord | undefined): BinaryNode | undefined {
  switch (tag) {
    case 'devices':
      return account ? devicesNode(ctx, account) : { tag: 'devices', attrs: {}, content: [{ tag: 'device-list', attrs: {} }] };
    case 'lid':
      return account ? { tag: 'lid', attrs: { val: `${account.lid}@lid` } } : { tag: 'lid', attrs: {} };
    case 'contact':
      return { tag: 'contact', attrs: { type: account ? 'in' : 'out' } };
    case 'status':
      return account
        ? {
            tag: 'status',
            attrs: { t: String(Math.floor((account.aboutSetAt ?? account.createdAt) / 1000)) },
            content: Buffer.from(account.about ?? 'Hey there! I am using WhatsApp.'),
          }
        : undefined;
    case 'disappearing_mode':
      return { tag: 'disappearing_mode', attrs: { duration: '0', t: '0' } };
    default:
      return undefined;
  }
}

/** Finds the account a `<user>` names: by jid (either domain) or by its `<contact>+phone</contact>`. */
function resolveUser(ctx: SimContext, user: BinaryNode): { jid: string; account: AccountRecord | undefined } | undefined {
  if (user.attrs.jid) {
    const decoded = jidDecode(user.attrs.jid);
    if (!decoded) return undefined;
    const jid = `${decoded.user}@${decoded.server}`;
    return { jid, account: ctx.store.accountByUser(decoded.user, decoded.server) };
  }
  const contact = getBinaryNodeChild(user, 'contact');
  const raw = contact?.content ? Buffer.from(contact.content as Uint8Array).toString() : '';
  const phone = raw.replace(/[^0-9]/g, '');
  if (!phone) return undefined;
  return { jid: `${phone}@s.whatsapp.net`, account: ctx.store.account(phone) };
}

export function answerUsync(ctx: SimContext, iq: BinaryNode): BinaryNode {
  const usync = getBinaryNodeChild(iq, 'usync');
  const protocols = childrenOf(getBinaryNodeChild(usync, 'query')).map((p) => p.tag);
  const users = childrenOf(getBinaryNodeChild(usync, 'list'));
  const list: BinaryNode[] = [];
  for (const user of users) {
    const resolved = resolveUser(ctx, user);
    if (!resolved) continue;
    const content = protocols
      .map((tag) => protocolNode(ctx, tag, resolved.account))
      .filter((n): n is BinaryNode => n !== undefined);
    list.push({ tag: 'user', attrs: { jid: resolved.jid }, content });
  }
  const attrs: Record<string, string> = { ...(usync?.attrs ?? {}) };
  return iqResult(iq, [
    {
      tag: 'usync',
      attrs,
      content: [
        { tag: 'result', attrs: {}, content: protocols.map((tag) => ({ tag, attrs: {} })) },
        { tag: 'list', attrs: {}, content: list },
      ],
    },
  ]);
}
