import makeWASocket, { type WASocket } from 'baileys';
import { pino } from 'pino';
import type { MemoryAuth } from '../sim/client.ts';

/** Like test/sim's client but with Baileys' default history settings: the point here is the wait. */
export function connectClient(wsUrl: string, state: MemoryAuth): WASocket {
  const socket = makeWASocket({
    waWebSocketUrl: wsUrl,
    auth: state,
    logger: pino({ level: process.env.SIM_TEST_LOG ?? 'silent' }) as any,
    markOnlineOnConnect: false,
    connectTimeoutMs: 10_000,
    defaultQueryTimeoutMs: 10_000,
  });
  socket.ev.on('creds.update', (update) => Object.assign(state.creds, update));
  return socket;
}

