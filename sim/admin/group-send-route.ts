import { jidDecode, proto } from 'baileys';
import type { GroupStore } from '../groups/index.ts';
import type { SimStore } from '../state/store.ts';
import type { AccountRecord } from '../state/types.ts';
import type { SignalPhones } from '../signal/index.ts';
import type { AdminRoute } from './routes.ts';

const fail = (status: number, message: string) => Object.assign(new Error(message), { status });

/**
 * `POST /admin/contacts/{phone}/send-group {group, text | message}`: a virtual contact posts in a
 * group it belongs to (sender keys: pairwise distribution + skmsg to every member companion).
 */
export function groupSendRoute(store: SimStore, groups: GroupStore, phones: SignalPhones): AdminRoute {
  return {
    method: 'POST',
    path: /^\/admin\/contacts\/(?<phone>\d+)\/send-group$/,
    handler: async ({ params, body }) => {
      const from = store.account(params.phone!);
      if (!from) throw fail(404, `no account ${params.phone}`);
      const groupJid = String(body?.group ?? '');
      if (jidDecode(groupJid)?.server !== 'g.us' || !groups.get(groupJid)) throw fail(404, `no group ${groupJid}`);
      if (!groups.isMember(groupJid, `${from.lid}@lid`)) throw fail(403, 'not a member of that group');
      let message: proto.IMessage;
      if (typeof body?.text === 'string') message = { conversation: body.text };
      else if (body?.message && typeof body.message === 'object') message = proto.Message.fromObject(body.message);
      else throw fail(400, 'give text or message');
      const members = groups
        .members(groupJid)
        .map((m) => store.accountByLid(m.lid.split('@')[0]!) ?? store.account(m.pn.split('@')[0]!))
        .filter((a): a is AccountRecord => !!a);
      return { body: { id: await phones.sendToGroup(from, groupJid, members, message) } };
    },
  };
}
