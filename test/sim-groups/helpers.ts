// Builds w:g2 request nodes the way Baileys 7.0.0-rc14 Socket/groups.js does, and runs nodes
// through Baileys' binary codec so tests see what a client would receive.
import { decodeDecompressedBinaryNode, encodeBinaryNode, type BinaryNode } from 'baileys';
import * as constants from 'baileys/lib/WABinary/constants.js';
import { GroupStore, handleGroupIq, type GroupCtx, type GroupIqResult, type Person } from '../../sim/groups/index.ts';

export const alice: Person = { pn: '15550000001@s.whatsapp.net', lid: '100000000000001@lid' };
export const bob: Person = { pn: '15550000002@s.whatsapp.net', lid: '100000000000002@lid' };
export const carol: Person = { pn: '15550000003@s.whatsapp.net', lid: '100000000000003@lid' };
export const dave: Person = { pn: '15550000004@s.whatsapp.net', lid: '100000000000004@lid' };
const people = [alice, bob, carol, dave];

export function resolve(jid: string): Person | undefined {
  const user = jid.replace(/:\d+(?=@)/, '');
  return people.find((p) => p.pn === user || p.lid === user);
}

/** encode → decode with Baileys' own codec (the flag byte encodeBinaryNode prepends is skipped). */
export function wire(node: BinaryNode): BinaryNode {
  return decodeDecompressedBinaryNode(encodeBinaryNode(node).subarray(1), constants as any);
}

let seq = 0;
export function groupQuery(to: string, type: 'get' | 'set', content: BinaryNode[]): BinaryNode {
  return { tag: 'iq', attrs: { id: `q${++seq}`, type, xmlns: 'w:g2', to }, content };
}

export const participantsOf = (jids: string[]): BinaryNode[] => jids.map((jid) => ({ tag: 'participant', attrs: { jid } }));

export function makeCtx(requester: Person, now = 1_767_000_000_000): GroupCtx {
  let n = 0;
  return { requester, now, newId: () => `n${++n}`, resolve };
}

/** Runs the handler with the request and the reply both passed through the wire codec. */
export function run(store: GroupStore, who: Person, iq: BinaryNode, now?: number): GroupIqResult {
  const res = handleGroupIq(wire(iq), makeCtx(who, now), store);
  return {
    reply: wire(res.reply),
    notifications: res.notifications.map((n) => ({ ...n, node: wire(n.node) })),
  };
}
