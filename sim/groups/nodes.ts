// BinaryNode builders for group state, in the shapes Baileys 7.0.0-rc14 parses
// (Socket/groups.js extractGroupMetadata, Socket/messages-recv.js handleGroupNotification).
import type { BinaryNode } from 'baileys';
import type { GroupMember, GroupRecord, Person } from './store.ts';

const sec = (ms: number): string => String(Math.floor(ms / 1000));
export { sec as unixSeconds };

/** `<participant jid=<lid> phone_number=<pn> [type=admin|superadmin]/>` (LID addressing). */
export function participantNode(p: Person & { admin?: GroupMember['admin'] }, extra: Record<string, string> = {}): BinaryNode {
  const attrs: Record<string, string> = { jid: p.lid, phone_number: p.pn, ...extra };
  if (p.admin) attrs.type = p.admin;
  return { tag: 'participant', attrs };
}

/** The `<group>` node of metadata / create / participating answers. */
export function groupNode(g: GroupRecord, opts: { participants?: boolean; description?: boolean } = {}): BinaryNode {
  const content: BinaryNode[] = [];
  if (opts.participants !== false) for (const p of g.participants) content.push(participantNode(p));
  if (g.desc && opts.description !== false) {
    content.push({
      tag: 'description',
      attrs: { id: g.desc.id, t: String(g.desc.t), participant: g.desc.owner.lid, participant_pn: g.desc.owner.pn },
      content: [{ tag: 'body', attrs: {}, content: Buffer.from(g.desc.body, 'utf8') }],
    });
  }
  if (g.announce) content.push({ tag: 'announcement', attrs: {} });
  if (g.restrict) content.push({ tag: 'locked', attrs: {} });
  if (g.ephemeral) content.push({ tag: 'ephemeral', attrs: { expiration: String(g.ephemeral) } });
  content.push({ tag: 'member_add_mode', attrs: {}, content: Buffer.from(g.memberAddMode, 'utf8') });
  return {
    tag: 'group',
    attrs: {
      id: g.id.split('@')[0]!,
      subject: g.subject,
      s_t: String(g.subjectTime),
      s_o: g.subjectOwner.lid,
      s_o_pn: g.subjectOwner.pn,
      creation: String(g.creation),
      creator: g.creator.lid,
      creator_pn: g.creator.pn,
      addressing_mode: 'lid',
      size: String(g.participants.length),
    },
    content,
  };
}

export function resultIq(iq: BinaryNode, content?: BinaryNode[]): BinaryNode {
  const attrs: Record<string, string> = { type: 'result', from: iq.attrs.to ?? '@g.us' };
  if (iq.attrs.id) attrs.id = iq.attrs.id;
  return content ? { tag: 'iq', attrs, content } : { tag: 'iq', attrs };
}

/** `<iq type="error"><error code text/></iq>`: Baileys' query() throws Boom(text, {data: code}). */
export function errorIq(iq: BinaryNode, code: number, text: string): BinaryNode {
  const attrs: Record<string, string> = { type: 'error', from: iq.attrs.to ?? '@g.us' };
  if (iq.attrs.id) attrs.id = iq.attrs.id;
  return { tag: 'iq', attrs, content: [{ tag: 'error', attrs: { code: String(code), text } }] };
}

/** `<notification type="w:gp2" from=<group> participant=<actor lid> participant_pn=… addressing_mode="lid">child</notification>`. */
export function groupNotification(
  g: Pick<GroupRecord, 'id'>,
  actor: Person,
  child: BinaryNode,
  meta: { id: string; nowMs: number; notify?: string },
): BinaryNode {
  const attrs: Record<string, string> = {
    from: g.id,
    type: 'w:gp2',
    id: meta.id,
    t: sec(meta.nowMs),
    participant: actor.lid,
    participant_pn: actor.pn,
    addressing_mode: 'lid',
  };
  if (meta.notify) attrs.notify = meta.notify;
  return { tag: 'notification', attrs, content: [child] };
}

export function childNodes(node: BinaryNode | undefined): BinaryNode[] {
  return Array.isArray(node?.content) ? node.content : [];
}

export function child(node: BinaryNode | undefined, tag: string): BinaryNode | undefined {
  return childNodes(node).find((c) => c.tag === tag);
}

export function textOf(node: BinaryNode | undefined): string | undefined {
  const c = node?.content;
  if (typeof c === 'string') return c;
  if (c instanceof Uint8Array) return Buffer.from(c).toString('utf8');
  return undefined;
}
