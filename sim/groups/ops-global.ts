// IQs addressed to "@g.us": create, participating, leave, join by code, invite info.
import type { GroupMember, GroupRecord } from './store.ts';
import { isSamePerson, newInviteCode } from './store.ts';
import { childNodes, groupNode, participantNode, resultIq, unixSeconds } from './nodes.ts';
import { badRequest, notFound, notifyAll, type GroupIqResult, type OpArgs } from './context.ts';

export function create({ iq, op, ctx, store }: OpArgs): GroupIqResult {
  const subject = op.attrs.subject?.trim();
  if (!subject || subject.length > 100) return badRequest();
  const t = Number(unixSeconds(ctx.now));
  const members: GroupMember[] = [{ ...ctx.requester, admin: 'superadmin' }];
  for (const p of childNodes(op).filter((c) => c.tag === 'participant')) {
    const who = p.attrs.jid ? ctx.resolve(p.attrs.jid) : undefined;
    // Unknown numbers are left out, as WhatsApp does for non-users.
    if (who && !members.some((m) => m.lid === who.lid)) members.push({ ...who, admin: null });
  }
  const group: GroupRecord = {
    id: store.nextGroupJid(ctx.now),
    subject,
    subjectOwner: ctx.requester,
    subjectTime: t,
    creation: t,
    creator: ctx.requester,
    announce: false,
    restrict: false,
    memberAddMode: 'admin_add',
    inviteCode: newInviteCode(),
    participants: members,
  };
  store.add(group);
  const node = groupNode(group);
  return {
    reply: resultIq(iq, [node]),
    notifications: notifyAll(members, group, ctx, { tag: 'create', attrs: {}, content: [node] }),
  };
}

export function participating({ iq, op, ctx, store }: OpArgs): GroupIqResult {
  const wants = new Set(childNodes(op).map((c) => c.tag));
  const groups = store.groupsOf(ctx.requester.lid).map((g) =>
    groupNode(g, { participants: wants.has('participants'), description: wants.has('description') }),
  );
  return { reply: resultIq(iq, [{ tag: 'groups', attrs: {}, content: groups }]), notifications: [] };
}

/** `<leave><group id=<jid>/>…</leave>`: the leaver appears as a self-`remove` (Baileys: GROUP_PARTICIPANT_LEAVE). */
export function leave({ iq, op, ctx, store }: OpArgs): GroupIqResult {
  const notifications = [];
  for (const gNode of childNodes(op).filter((c) => c.tag === 'group')) {
    const group = store.get(gNode.attrs.id ?? '');
    const me = group && group.participants.find((p) => isSamePerson(p, ctx.requester.lid));
    if (!group || !me) continue;
    const before = [...group.participants];
    group.participants = group.participants.filter((p) => p !== me);
    notifications.push(...notifyAll(before, group, ctx, { tag: 'remove', attrs: {}, content: [participantNode(me)] }));
  }
  return { reply: resultIq(iq), notifications };
}

/** `<invite code=…/>` set on @g.us: join by invite code; answers `<group jid=…/>`. */
export function join({ iq, op, ctx, store }: OpArgs): GroupIqResult {
  const group = store.byInviteCode(op.attrs.code ?? '') ?? notFound();
  const reply = resultIq(iq, [{ tag: 'group', attrs: { jid: group.id } }]);
  if (store.member(group, ctx.requester.lid)) return { reply, notifications: [] };
  const joined: GroupMember = { ...ctx.requester, admin: null };
  group.participants.push(joined);
  const add = { tag: 'add', attrs: { reason: 'invite' }, content: [participantNode(joined)] };
  return { reply, notifications: notifyAll(group.participants, group, ctx, add) };
}

/** `<invite code=…/>` get on @g.us: group info for an invite code (groupGetInviteInfo). */
export function inviteInfo({ iq, op, store }: OpArgs): GroupIqResult {
  const group = store.byInviteCode(op.attrs.code ?? '') ?? notFound();
  return { reply: resultIq(iq, [groupNode(group, { participants: false })]), notifications: [] };
}
