import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type BinaryNode, getBinaryNodeChild, jidDecode } from 'baileys';
import { GroupStore, handleGroupIq, isGroupIq, type Person } from '../groups/index.ts';
import type { AccountRecord } from '../state/types.ts';
import type { Connection } from './connection.ts';
import { childrenOf, type SimContext, unixNow } from './context.ts';
import type { SimExtension } from './sim-server.ts';

/*
 * Groups: `w:g2` IQs go to sim/groups (pure handlers); their `w:gp2` notifications are delivered
 * to every device of every recipient. Group messages fan out like 1:1 ones: each member device
 * gets `<message from=G participant=<sender lid device>>` with its pairwise `<enc>` (the sender
 * key distribution, when the sender included one) followed by the shared `skmsg`.
 */

export interface GroupsExtension extends SimExtension {
  readonly groups: GroupStore;
  flush(): void;
}

const personOf = (a: AccountRecord): Person => ({ pn: `${a.phone}@s.whatsapp.net`, lid: `${a.lid}@lid` });

export function groupsExtension(ctx: SimContext, file?: string): GroupsExtension {
  let groups = new GroupStore();
  if (file) {
    try {
      groups = GroupStore.fromJSON(JSON.parse(readFileSync(file, 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  const accountOfJid = (jid: string) => {
    const d = jidDecode(jid);
    return d ? ctx.store.accountByUser(d.user, d.server) : undefined;
  };
  /** Notifications go to the companions; the simulated phone (device 0) keeps no group UI. */
  const toAllDevices = (account: AccountRecord, node: BinaryNode) => {
    for (const device of ctx.deviceIds(account)) if (device !== 0) ctx.deliver(account.phone, device, node);
  };

  function fanOut(conn: Connection, node: BinaryNode): void {
    const sender = ctx.store.account(conn.phone!)!;
    const groupJid = node.attrs.to!;
    const id = node.attrs.id ?? '';
    conn.send({ tag: 'ack', attrs: { class: 'message', id, from: groupJid, t: unixNow() } });
    if (!groups.isMember(groupJid, `${sender.lid}@lid`)) return;
    // Pairwise encs by (account phone, device), whatever domain the sender addressed them in.
    const pairwise = new Map<string, BinaryNode[]>();
    for (const to of childrenOf(getBinaryNodeChild(node, 'participants'))) {
      const account = accountOfJid(to.attrs.jid ?? '');
      if (account) pairwise.set(`${account.phone}:${jidDecode(to.attrs.jid!)?.device ?? 0}`, childrenOf(to));
    }
    const shared = childrenOf(node).filter((c) => c.tag === 'enc');
    const deviceIdentity = getBinaryNodeChild(node, 'device-identity');
    for (const member of groups.members(groupJid)) {
      const account = accountOfJid(member.lid) ?? accountOfJid(member.pn);
      if (!account) continue;
      for (const device of ctx.deviceIds(account)) {
        if (account.phone === sender.phone && device === conn.device) continue;
        const content = [...(pairwise.get(`${account.phone}:${device}`) ?? []), ...shared];
        if (deviceIdentity) content.push(deviceIdentity);
        const stanza: BinaryNode = {
          tag: 'message',
          attrs: {
            from: groupJid,
            participant: `${sender.lid}:${conn.device}@lid`,
            participant_pn: `${sender.phone}@s.whatsapp.net`,
            addressing_mode: 'lid',
            id,
            t: unixNow(),
            type: node.attrs.type ?? 'text',
            notify: sender.name,
          },
          content,
        };
        if (device === 0) ctx.toPhone(account, stanza);
        else ctx.deliver(account.phone, device, stanza);
        ctx.stats.messagesRelayed++;
      }
    }
  }

  const ext: GroupsExtension = {
    groups,
    iq(conn, node) {
      if (!isGroupIq(node)) return undefined;
      const account = ctx.store.account(conn.phone!)!;
      const { reply, notifications } = handleGroupIq(
        node,
        {
          requester: personOf(account),
          now: Date.now(),
          newId: () => randomBytes(8).toString('hex').toUpperCase(),
          resolve: (jid) => {
            const found = accountOfJid(jid);
            return found ? personOf(found) : undefined;
          },
          notify: account.name,
        },
        groups,
      );
      for (const notice of notifications) {
        const target = accountOfJid(notice.to) ?? accountOfJid(notice.toLid);
        if (target) toAllDevices(target, notice.node);
      }
      ext.flush();
      return reply;
    },
    stanza(conn, node) {
      if (node.tag !== 'message' || jidDecode(node.attrs.to ?? '')?.server !== 'g.us') return false;
      fanOut(conn, node);
      return true;
    },
    flush() {
      if (!file) return;
      writeFileSync(`${file}.tmp`, JSON.stringify(groups.toJSON()));
      renameSync(`${file}.tmp`, file);
    },
  };
  return ext;
}
