import { type BinaryNode, jidDecode } from 'baileys';
import type { AccountRecord } from '../state/types.ts';
import type { Connection } from './connection.ts';
import type { SimContext } from './context.ts';
import type { SimExtension } from './sim-server.ts';

/*
 * Presence and chat states. `<presence type=subscribe to=X>` subscribes the device to X and
 * answers with X's last presence; `<presence type=available|unavailable>` is pushed to X's
 * subscribers; `<chatstate to=X><composing/>|<paused/></chatstate>` goes to X's live devices
 * (chat states are ephemeral: never queued).
 */

type Presence = 'available' | 'unavailable';

export function presenceExtension(ctx: SimContext): SimExtension {
  const last = new Map<string, { type: Presence; t: number }>();
  /** target phone → subscriber device keys with the domain they subscribed in. */
  const subscribers = new Map<string, Map<string, { phone: string; device: number; server: string }>>();

  const userJid = (account: AccountRecord, server: string) =>
    server === 'lid' ? `${account.lid}@lid` : `${account.phone}@s.whatsapp.net`;

  function presenceNode(account: AccountRecord, server: string): BinaryNode {
    const state = last.get(account.phone) ?? { type: 'unavailable' as Presence, t: Math.floor(account.createdAt / 1000) };
    const attrs: Record<string, string> = { from: userJid(account, server), type: state.type };
    if (state.type === 'unavailable') attrs.last = String(state.t);
    return { tag: 'presence', attrs };
  }

  function onPresence(conn: Connection, node: BinaryNode): void {
    const me = ctx.store.account(conn.phone!)!;
    const type = node.attrs.type;
    if (type === 'subscribe' && node.attrs.to) {
      const target = jidDecode(node.attrs.to);
      const account = target ? ctx.store.accountByUser(target.user, target.server) : undefined;
      if (!target || !account) return;
      let subs = subscribers.get(account.phone);
      if (!subs) subscribers.set(account.phone, (subs = new Map()));
      subs.set(`${me.phone}:${conn.device}`, { phone: me.phone, device: conn.device!, server: target.server });
      conn.send(presenceNode(account, target.server));
      return;
    }
    if (type !== 'available' && type !== 'unavailable') return;
    last.set(me.phone, { type, t: Math.floor(Date.now() / 1000) });
    for (const sub of subscribers.get(me.phone)?.values() ?? []) {
      ctx.connectionOf(sub.phone, sub.device)?.send(presenceNode(me, sub.server));
    }
  }

  function onChatstate(conn: Connection, node: BinaryNode): void {
    const me = ctx.store.account(conn.phone!)!;
    const to = jidDecode(node.attrs.to ?? '');
    const account = to ? ctx.store.accountByUser(to.user, to.server) : undefined;
    if (!to || !account || to.server === 'g.us') return;
    const stanza: BinaryNode = { tag: 'chatstate', attrs: { from: userJid(me, to.server) }, content: Array.isArray(node.content) ? node.content : [] };
    for (const device of ctx.deviceIds(account)) ctx.connectionOf(account.phone, device)?.send(stanza);
  }

  return {
    stanza(conn, node) {
      if (node.tag === 'presence') onPresence(conn, node);
      else if (node.tag === 'chatstate') onChatstate(conn, node);
      else return false;
      return true;
    },
  };
}
