// Entry point: routes one `<iq xmlns="w:g2">` to its operation.
import type { BinaryNode } from 'baileys';
import type { GroupStore } from './store.ts';
import { childNodes } from './nodes.ts';
import { fail, forbidden, notFound, toErrorReply, type GroupCtx, type GroupIqResult, type OpArgs } from './context.ts';
import { create, inviteInfo, join, leave, participating } from './ops-global.ts';
import { changeMembers } from './ops-members.ts';
import * as info from './ops-info.ts';

export function isGroupIq(node: BinaryNode): boolean {
  return node.tag === 'iq' && node.attrs.xmlns === 'w:g2';
}

/**
 * Handles a `w:g2` IQ from `ctx.requester`. Never throws: protocol errors become
 * `<iq type="error"><error code text/></iq>` replies (Baileys' query() turns them into a Boom).
 * State changes are applied to `store` only when the reply is a result.
 */
export function handleGroupIq(iq: BinaryNode, ctx: GroupCtx, store: GroupStore): GroupIqResult {
  try {
    const op = childNodes(iq)[0] ?? fail(400, 'bad-request');
    const args: OpArgs = { iq, op, ctx, store };
    const type = iq.attrs.type;
    if ((iq.attrs.to ?? '@g.us') === '@g.us') return globalOp(args, type);
    const group = store.get(iq.attrs.to!) ?? notFound();
    const inGroup = !!store.member(group, ctx.requester.lid);
    if (!inGroup) return forbidden();
    switch (op.tag) {
      case 'query':
        return info.metadata(args, group);
      case 'add':
      case 'remove':
      case 'promote':
      case 'demote':
        return changeMembers(args, group);
      case 'subject':
        return info.subject(args, group);
      case 'description':
        return info.description(args, group);
      case 'announcement':
      case 'not_announcement':
      case 'locked':
      case 'unlocked':
        return info.setting(args, group);
      case 'invite':
        return info.inviteCode(args, group);
      case 'ephemeral':
      case 'not_ephemeral':
        return info.ephemeral(args, group);
      case 'member_add_mode':
        return info.memberAddMode(args, group);
      case 'membership_approval_requests':
        return info.approvalRequests(args);
      default:
        return fail(501, 'feature-not-implemented');
    }
  } catch (err) {
    return { reply: toErrorReply(iq, err), notifications: [] };
  }
}

function globalOp(args: OpArgs, type: string | undefined): GroupIqResult {
  switch (args.op.tag) {
    case 'create':
      return create(args);
    case 'participating':
      return participating(args);
    case 'leave':
      return leave(args);
    case 'invite':
      return type === 'get' ? inviteInfo(args) : join(args);
    default:
      return fail(501, 'feature-not-implemented');
  }
}
