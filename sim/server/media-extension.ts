import type { BinaryNode } from 'baileys';
import { buildMediaConnReply, isMediaConnIq, type MediaServer } from '../media/index.ts';
import type { SimExtension } from './sim-server.ts';

/** Answers `<iq xmlns=w:m><media_conn/>` with a fresh upload token and the simulator's HTTPS media host. */
export function mediaExtension(media: MediaServer, ttlSec = 3600): SimExtension {
  return {
    iq(_conn, node: BinaryNode) {
      if (!isMediaConnIq(node)) return undefined;
      return buildMediaConnReply(node, { auth: media.issueAuth(ttlSec), ttl: ttlSec, hosts: [{ hostname: media.hostname }] });
    },
  };
}
