// Participant changes on a group: add, remove, promote, demote.
// Answer: `<iq type=result><ACTION><participant jid=… [error=CODE]/>…</ACTION></iq>` — Baileys'
// groupParticipantsUpdate maps each to {status: error || '200', jid}.
import type { BinaryNode } from 'baileys';
import type { GroupMember, GroupRecord, Person } from './store.ts';
import { childNodes, participantNode, resultIq } from './nodes.ts';
import { notAuthorized, notifyAll, type GroupIqResult, type OpArgs } from './context.ts';

export type MemberAction = 'add' | 'remove' | 'promote' | 'demote';

const isAdmin = (m: GroupMember | undefined): boolean => !!m?.admin;

export function changeMembers({ iq, op, ctx, store }: OpArgs, group: GroupRecord): GroupIqResult {
  const action = op.tag as MemberAction;
  const me = store.member(group, ctx.requester.lid);
  const mayAdd = action === 'add' && group.memberAddMode === 'all_member_add' && !!me;
  if (!isAdmin(me) && !mayAdd) return notAuthorized();

  const answers: BinaryNode[] = [];
  const changed: Array<Person & { admin: GroupMember['admin'] }> = [];
  const before = [...group.participants];
  for (const p of childNodes(op).filter((c) => c.tag === 'participant')) {
    const jid = p.attrs.jid ?? '';
    const who = ctx.resolve(jid);
    const current = who ? store.member(group, who.lid) : undefined;
    const error = applyOne(action, group, who, current);
    const attrs: Record<string, string> = { jid };
    if (error) attrs.error = error;
    else if (who) {
      // echo the other identity of the affected user, as WhatsApp does
      if (jid.endsWith('@lid')) attrs.phone_number = who.pn;
      else attrs.lid = who.lid;
      changed.push({ ...who, admin: store.member(group, who.lid)?.admin ?? current?.admin ?? null });
    }
    answers.push({ tag: 'participant', attrs });
  }
  const reply = resultIq(iq, [{ tag: action, attrs: {}, content: answers }]);
  if (!changed.length) return { reply, notifications: [] };
  // removed members still hear about their removal; added ones about their addition
  const recipients = action === 'remove' ? before : group.participants;
  const notice = { tag: action, attrs: {}, content: changed.map((c) => participantNode(c)) };
  return { reply, notifications: notifyAll(recipients, group, ctx, notice) };
}

/** Applies one participant change; returns an error code string or undefined on success. */
function applyOne(
  action: MemberAction,
  group: GroupRecord,
  who: Person | undefined,
  current: GroupMember | undefined,
): string | undefined {
  if (!who) return '404';
  switch (action) {
    case 'add':
      if (current) return '409';
      group.participants.push({ ...who, admin: null });
      return undefined;
    case 'remove':
      if (!current) return '404';
      if (current.admin === 'superadmin') return '406';
      group.participants = group.participants.filter((m) => m !== current);
      return undefined;
    case 'promote':
      if (!current) return '404';
      if (!current.admin) current.admin = 'admin';
      return undefined;
    case 'demote':
      if (!current) return '404';
      if (current.admin === 'superadmin') return '406';
      current.admin = null;
      return undefined;
  }
}
