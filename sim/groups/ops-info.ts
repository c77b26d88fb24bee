// Group info and settings: metadata, subject, description, announcement/locked, invite code,
// ephemeral, member add mode.
import type { BinaryNode } from 'baileys';
import type { GroupRecord } from './store.ts';
import { newInviteCode } from './store.ts';
import { child, groupNode, resultIq, textOf, unixSeconds } from './nodes.ts';
import { badRequest, fail, notAuthorized, notifyAll, type GroupIqResult, type OpArgs } from './context.ts';

const none = (reply: BinaryNode): GroupIqResult => ({ reply, notifications: [] });

function requireAdmin({ ctx, store }: OpArgs, group: GroupRecord): void {
  if (!store.member(group, ctx.requester.lid)?.admin) notAuthorized();
}

/** Locked groups: only admins edit subject/description/ephemeral. */
function requireEditor(args: OpArgs, group: GroupRecord): void {
  if (group.restrict) requireAdmin(args, group);
}

export function metadata({ iq }: OpArgs, group: GroupRecord): GroupIqResult {
  return none(resultIq(iq, [groupNode(group)]));
}

export function subject(args: OpArgs, group: GroupRecord): GroupIqResult {
  requireEditor(args, group);
  const { iq, op, ctx } = args;
  const text = textOf(op)?.trim();
  if (!text || text.length > 100) return badRequest();
  group.subject = text;
  group.subjectOwner = ctx.requester;
  group.subjectTime = Number(unixSeconds(ctx.now));
  const notice = {
    tag: 'subject',
    attrs: { subject: text, s_t: String(group.subjectTime), s_o: ctx.requester.lid, s_o_pn: ctx.requester.pn },
  };
  return { reply: resultIq(iq), notifications: notifyAll(group.participants, group, args.ctx, notice) };
}

/** `<description id=new [prev=old]><body>…</body></description>` or `<description delete="true" [prev]/>`. */
export function description(args: OpArgs, group: GroupRecord): GroupIqResult {
  requireEditor(args, group);
  const { iq, op, ctx } = args;
  if ((op.attrs.prev ?? undefined) !== group.desc?.id) return fail(409, 'conflict');
  let notice: BinaryNode;
  if (op.attrs.delete === 'true') {
    const id = ctx.newId();
    group.desc = undefined;
    notice = { tag: 'description', attrs: { id, delete: 'true' } };
  } else {
    const body = textOf(child(op, 'body'));
    if (!op.attrs.id || body === undefined || body.length > 2048) return badRequest();
    group.desc = { id: op.attrs.id, body, owner: ctx.requester, t: Number(unixSeconds(ctx.now)) };
    notice = {
      tag: 'description',
      attrs: { id: op.attrs.id },
      content: [{ tag: 'body', attrs: {}, content: Buffer.from(body, 'utf8') }],
    };
  }
  return { reply: resultIq(iq), notifications: notifyAll(group.participants, group, ctx, notice) };
}

/** announcement | not_announcement | locked | unlocked (groupSettingUpdate). */
export function setting(args: OpArgs, group: GroupRecord): GroupIqResult {
  requireAdmin(args, group);
  const tag = args.op.tag;
  if (tag === 'announcement' || tag === 'not_announcement') group.announce = tag === 'announcement';
  else group.restrict = tag === 'locked';
  const notice = { tag, attrs: {} };
  return { reply: resultIq(args.iq), notifications: notifyAll(group.participants, group, args.ctx, notice) };
}

/** get: current code; set: revoke and answer the new one. Both `<invite code=…/>`. */
export function inviteCode(args: OpArgs, group: GroupRecord): GroupIqResult {
  requireAdmin(args, group);
  const revoke = args.iq.attrs.type === 'set';
  if (revoke) group.inviteCode = newInviteCode();
  const reply = resultIq(args.iq, [{ tag: 'invite', attrs: { code: group.inviteCode } }]);
  if (!revoke) return none(reply);
  const notice = { tag: 'invite', attrs: { code: group.inviteCode } };
  const admins = group.participants.filter((p) => p.admin);
  return { reply, notifications: notifyAll(admins, group, args.ctx, notice) };
}

export function ephemeral(args: OpArgs, group: GroupRecord): GroupIqResult {
  requireEditor(args, group);
  const { op } = args;
  const exp = op.tag === 'ephemeral' ? Number(op.attrs.expiration) : 0;
  if (!Number.isInteger(exp) || exp < 0) return badRequest();
  group.ephemeral = exp || undefined;
  const notice: BinaryNode = exp ? { tag: 'ephemeral', attrs: { expiration: String(exp) } } : { tag: 'not_ephemeral', attrs: {} };
  return { reply: resultIq(args.iq), notifications: notifyAll(group.participants, group, args.ctx, notice) };
}

export function memberAddMode(args: OpArgs, group: GroupRecord): GroupIqResult {
  requireAdmin(args, group);
  const mode = textOf(args.op);
  if (mode !== 'admin_add' && mode !== 'all_member_add') return badRequest();
  group.memberAddMode = mode;
  const notice = { tag: 'member_add_mode', attrs: {}, content: Buffer.from(mode, 'utf8') };
  return { reply: resultIq(args.iq), notifications: notifyAll(group.participants, group, args.ctx, notice) };
}

/** No join-approval flow in the simulator: the pending list is always empty. */
export function approvalRequests({ iq, op }: OpArgs): GroupIqResult {
  return none(resultIq(iq, [{ tag: op.tag, attrs: {} }]));
}
