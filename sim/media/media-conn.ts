// Builds the answer to Baileys' `<iq type="set" xmlns="w:m"><media_conn/></iq>` query.
// Baileys (Socket/messages-send.js refreshMediaConn) reads media_conn@auth, @ttl and
// host@hostname / @maxContentLengthBytes; the first host also becomes its download host.
import type { BinaryNode } from 'baileys';

export interface MediaConnHost {
  /** "host:port", e.g. "127.0.0.1:43211" (no scheme; Baileys prefixes https://). */
  hostname: string;
  maxContentLengthBytes?: number;
}

export interface MediaConnOptions {
  auth: string;
  /** Seconds the client may reuse this auth before asking again. */
  ttl: number;
  hosts: MediaConnHost[];
  /** Seconds the auth token stays valid on the server; defaults to ttl. */
  authTtl?: number;
}

export function buildMediaConnReply(iq: BinaryNode, opts: MediaConnOptions): BinaryNode {
  const attrs: Record<string, string> = { type: 'result', from: iq.attrs.to ?? 's.whatsapp.net' };
  if (iq.attrs.id) attrs.id = iq.attrs.id;
  return {
    tag: 'iq',
    attrs,
    content: [
      {
        tag: 'media_conn',
        attrs: {
          auth: opts.auth,
          ttl: String(opts.ttl),
          auth_ttl: String(opts.authTtl ?? opts.ttl),
          max_buckets: '12',
        },
        content: opts.hosts.map((h) => ({
          tag: 'host',
          attrs: {
            hostname: h.hostname,
            maxContentLengthBytes: String(h.maxContentLengthBytes ?? 104_857_600),
          },
        })),
      },
    ],
  };
}

/** True for the IQ this module answers: `<iq xmlns="w:m" type="set"><media_conn/></iq>`. */
export function isMediaConnIq(node: BinaryNode): boolean {
  return (
    node.tag === 'iq' &&
    node.attrs.xmlns === 'w:m' &&
    Array.isArray(node.content) &&
    node.content.some((c) => c.tag === 'media_conn')
  );
}
