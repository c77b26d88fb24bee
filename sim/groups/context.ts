// Types shared by the w:g2 handlers.
import type { BinaryNode } from 'baileys';
import type { GroupRecord, GroupStore, Person } from './store.ts';
import { errorIq, groupNotification } from './nodes.ts';

export interface GroupCtx {
  /** The account sending the IQ (user jids, no device). */
  requester: Person;
  /** Milliseconds since epoch (Date.now()); nodes carry unix seconds. */
  now: number;
  /** Fresh stanza id for each notification. */
  newId: () => string;
  /** Maps any user jid (PN or LID, device suffix allowed) to a known account; undefined if unknown. */
  resolve: (jid: string) => Person | undefined;
  /** Optional push name of the requester, copied to notification@notify. */
  notify?: string;
}

export interface GroupNotice {
  /** Recipient user jid (phone number form, no device): deliver to all of that user's devices. */
  to: string;
  /** Same recipient, LID form. */
  toLid: string;
  node: BinaryNode;
}

export interface GroupIqResult {
  reply: BinaryNode;
  notifications: GroupNotice[];
}

export class GroupIqError extends Error {
  constructor(
    readonly code: number,
    readonly text: string,
  ) {
    super(`${code} ${text}`);
  }
}

export const fail = (code: number, text: string): never => {
  throw new GroupIqError(code, text);
};

export const forbidden = (): never => fail(403, 'forbidden');
export const notAuthorized = (): never => fail(401, 'not-authorized');
export const notFound = (): never => fail(404, 'item-not-found');
export const badRequest = (): never => fail(400, 'bad-request');

export function toErrorReply(iq: BinaryNode, err: unknown): BinaryNode {
  if (err instanceof GroupIqError) return errorIq(iq, err.code, err.text);
  return errorIq(iq, 500, 'internal-server-error');
}

/** One notification per recipient, all built from the same child. */
export function notifyAll(
  recipients: Person[],
  group: Pick<GroupRecord, 'id'>,
  ctx: GroupCtx,
  child: BinaryNode,
): GroupNotice[] {
  const seen = new Set<string>();
  const out: GroupNotice[] = [];
  for (const r of recipients) {
    if (seen.has(r.lid)) continue;
    seen.add(r.lid);
    const node = groupNotification(group, ctx.requester, child, { id: ctx.newId(), nowMs: ctx.now, notify: ctx.notify });
    out.push({ to: r.pn, toLid: r.lid, node });
  }
  return out;
}

export interface OpArgs {
  iq: BinaryNode;
  op: BinaryNode;
  ctx: GroupCtx;
  store: GroupStore;
}
