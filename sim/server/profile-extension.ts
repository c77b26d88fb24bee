import { createHash } from 'node:crypto';
import { type BinaryNode, getBinaryNodeChild, jidDecode } from 'baileys';
import { iqError, iqResult, type SimContext } from './context.ts';
import type { SimExtension } from './sim-server.ts';

/*
 * Profile pictures (`w:profile:picture`): set stores the bytes per user, get answers with a
 * `<picture id url direct_path>`; 404 when none is set. The URL is informative only (the
 * simulator does not serve the image). `status` set stores the "about" text usync returns.
 */
export function profileExtension(ctx: SimContext): SimExtension & { pictures: Map<string, Buffer> } {
  const pictures = new Map<string, Buffer>();
  const userOf = (jid: string | undefined, fallbackPhone: string) => {
    const decoded = jid ? jidDecode(jid) : undefined;
    const account = decoded ? ctx.store.accountByUser(decoded.user, decoded.server) : ctx.store.account(fallbackPhone);
    return account?.phone ?? decoded?.user;
  };
  return {
    pictures,
    iq(conn, node: BinaryNode) {
      if (node.attrs.xmlns === 'status' && node.attrs.type === 'set') {
        const account = ctx.store.account(conn.phone!)!;
        const status = getBinaryNodeChild(node, 'status');
        account.about = status?.content instanceof Uint8Array ? Buffer.from(status.content).toString('utf8') : String(status?.content ?? '');
        account.aboutSetAt = Date.now();
        ctx.store.changed();
        return iqResult(node);
      }
      if (node.attrs.xmlns !== 'w:profile:picture') return undefined;
      const user = userOf(node.attrs.target, conn.phone!);
      if (!user) return iqError(node, 404, 'item-not-found');
      if (node.attrs.type === 'set') {
        const picture = getBinaryNodeChild(node, 'picture');
        if (picture?.content instanceof Uint8Array) pictures.set(user, Buffer.from(picture.content));
        else pictures.delete(user);
        return iqResult(node);
      }
      const bytes = pictures.get(user);
      if (!bytes) return iqError(node, 404, 'item-not-found');
      const id = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
      const directPath = `/v/t61.24694-24/${user}_${id}.jpg`;
      return iqResult(node, [{ tag: 'picture', attrs: { id, type: 'image', url: `https://pps.sim.invalid${directPath}`, direct_path: directPath } }]);
    },
  };
}
