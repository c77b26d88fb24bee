// An unmodified Baileys socket whose websocket never completes (held by a local HTTP server), used to
// feed it stanzas through its own 'CB:notification' handlers and observe the events it emits.
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import makeWASocket, { initAuthCreds, type BinaryNode } from 'baileys';
import pino from 'pino';
import type { Person } from '../../sim/groups/index.ts';

export interface FedSocket {
  events: Array<{ name: string; data: any }>;
  deliver(node: BinaryNode): Promise<void>;
  close(): Promise<void>;
}

const WATCHED = ['messages.upsert', 'group-participants.update', 'groups.update', 'groups.upsert', 'chats.upsert'];

export async function feedableSocket(me: Person): Promise<FedSocket> {
  const held: Socket[] = [];
  const srv = createServer();
  srv.on('upgrade', (_req, socket: Socket) => void held.push(socket));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const creds = initAuthCreds();
  creds.me = { id: me.pn.replace('@', ':1@'), lid: me.lid.replace('@', ':1@'), name: 'me' };
  const keys = { get: async () => ({}), set: async () => {} };
  const sock = makeWASocket({
    auth: { creds, keys } as any,
    waWebSocketUrl: `ws://127.0.0.1:${(srv.address() as AddressInfo).port}/ws/chat`,
    logger: pino({ level: 'silent' }) as any,
  });
  const events: FedSocket['events'] = [];
  for (const name of WATCHED) sock.ev.on(name as any, (data: any) => void events.push({ name, data }));
  return {
    events,
    async deliver(node) {
      sock.ws.emit('CB:notification', node);
      await new Promise((r) => setTimeout(r, 30));
    },
    async close() {
      await sock.end(undefined);
      for (const s of held) s.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
    },
  };
}
