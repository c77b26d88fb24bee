/** The account's block list (`xmlns=blocklist`): kept per account, shared by its devices. */
import { getBinaryNodeChildren, jidDecode, type BinaryNode } from 'baileys';
import { iqResult, type SimContext } from './context.ts';
import type { Connection } from './connection.ts';

/** Blocked users as `<phone>@s.whatsapp.net` (unknown users are kept as the client named them). */
export function answerBlocklist(ctx: SimContext, conn: Connection, iq: BinaryNode): BinaryNode {
  const account = conn.phone ? ctx.store.account(conn.phone) : undefined;
  if (!account) return iqResult(iq);
  const blocked = new Set(account.blocked ?? []);
  if (iq.attrs.type === 'get') {
    return iqResult(iq, [{ tag: 'list', attrs: {}, content: [...blocked].map((jid) => ({ tag: 'item', attrs: { jid } })) }]);
  }
  for (const item of getBinaryNodeChildren(iq, 'item')) {
    const jid = item.attrs.pn_jid ?? item.attrs.jid;
    const user = jid ? jidDecode(jid) : undefined;
    if (!user) continue;
    // Baileys names the user by LID (plus pn_jid when blocking); the list keeps one phone-number JID per user.
    const known = ctx.store.accountByUser(user.user, user.server);
    const normalized = known ? `${known.phone}@s.whatsapp.net` : `${user.user}@${user.server}`;
    if (item.attrs.action === 'block') blocked.add(normalized);
    else blocked.delete(normalized);
  }
  account.blocked = [...blocked];
  ctx.store.changed();
  return iqResult(iq);
}
