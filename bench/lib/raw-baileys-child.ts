/**
 * The floor: the same Baileys sockets wafleet runs, in a bare process — makeWASocket with the same
 * options as src/engines/baileys, in-memory auth, no HTTP, no database, no wafleet. Driven by its
 * parent over IPC (see raw-baileys.ts). Start with the sim trust preload (WAFLEET_SIM_ROOT_KEY).
 */
import makeWASocket, { Browsers, initAuthCreds, makeCacheableSignalKeyStore, type AuthenticationCreds, type SignalDataTypeMap, type SignalKeyStore, type WASocket } from 'baileys';
import pino from 'pino';
import { now, pool } from './stats.ts';

type Command =
  | { cmd: 'pair'; from: number; to: number; concurrency: number; wsUrl: string; adminUrl: string; phonePrefix: string }
  | { cmd: 'mem' }
  | { cmd: 'gc' }
  | { cmd: 'send'; sessions: number[]; to: string[]; count: number; concurrency: number; prefix: string }
  | { cmd: 'exit' };

// This file runs under tsx, which turns on source-mapped stack traces; wafleet runs compiled without
// them. Baileys formats a stack on every promiseTimeout, so leave them off here too (a fair floor).
process.setSourceMapsEnabled(false);

const logger = pino({ level: process.env.BENCH_ENGINE_LOG_LEVEL ?? 'warn' });
const sockets = new Map<number, WASocket>();

function memoryKeys(): SignalKeyStore {
  const data = new Map<string, unknown>();
  return {
    async get(type, ids) {
      const out: Record<string, unknown> = {};
      for (const id of ids) {
        const value = data.get(`${type}:${id}`);
        if (value !== undefined) out[id] = value;
      }
      return out as { [id: string]: SignalDataTypeMap[typeof type] };
    },
    async set(update) {
      for (const [type, entries] of Object.entries(update)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          if (value === null || value === undefined) data.delete(`${type}:${id}`);
          else data.set(`${type}:${id}`, value);
        }
      }
    },
  };
}

/** Opens a socket; on the post-pairing 515 opens a fresh one with the same auth, like wafleet does. */
function connect(index: number, wsUrl: string, creds: AuthenticationCreds, keys: SignalKeyStore, onQr: (qr: string) => void): Promise<WASocket> {
  return new Promise((resolve, reject) => {
    const open = () => {
      const sock = makeWASocket({
        auth: { creds, keys: makeCacheableSignalKeyStore(keys, logger) },
        waWebSocketUrl: wsUrl,
        logger,
        browser: Browsers.ubuntu('Chrome'),
        markOnlineOnConnect: false,
        syncFullHistory: false,
        generateHighQualityLinkPreview: false,
      });
      sock.ev.on('creds.update', (update) => Object.assign(creds, update));
      sock.ev.on('connection.update', (update) => {
        if (update.qr) onQr(update.qr);
        if (update.connection === 'open') {
          sockets.set(index, sock);
          resolve(sock);
        }
        if (update.connection === 'close') {
          const status = (update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;
          if (status === 515) open();
          else if (!sockets.has(index)) reject(new Error(`socket ${index} closed with ${status}`));
        }
      });
    };
    open();
  });
}

async function pair(command: Extract<Command, { cmd: 'pair' }>): Promise<number[]> {
  const indexes = Array.from({ length: command.to - command.from }, (_, i) => command.from + i);
  return pool(indexes, command.concurrency, async (index) => {
    const t0 = Date.now();
    const creds = initAuthCreds();
    let scanned = false;
    const phone = `${command.phonePrefix}${String(index).padStart(7, '0')}`;
    await connect(index, command.wsUrl, creds, memoryKeys(), (qr) => {
      if (scanned) return;
      scanned = true;
      void fetch(`${command.adminUrl}/admin/scan-qr`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ qr, phone, name: `Raw ${phone}` }),
      }).then(async (response) => {
        if (!response.ok) logger.error({ status: response.status, body: await response.text() }, 'scan failed');
      });
    });
    return Date.now() - t0;
  });
}

async function send(command: Extract<Command, { cmd: 'send' }>): Promise<Array<{ id: string; t0: number; t1: number }>> {
  const senders = command.sessions.map((index) => {
    const sock = sockets.get(index);
    if (!sock) throw new Error(`no socket ${index}`);
    return sock;
  });
  const items = Array.from({ length: command.count }, (_, i) => i);
  return pool(items, command.concurrency, async (i) => {
    const t0 = now();
    const sock = senders[i % senders.length]!;
    const to = command.to[Math.floor(i / senders.length) % command.to.length]!;
    const sent = await sock.sendMessage(to, { text: `${command.prefix} ${i}` });
    return { id: sent?.key.id ?? '', t0, t1: now() };
  });
}

process.on('message', (message: Command) => {
  const reply = (body: unknown) => process.send?.(body);
  const run = async () => {
    switch (message.cmd) {
      case 'pair':
        return { times: await pair(message) };
      case 'mem':
        return { memory: process.memoryUsage() };
      case 'gc': {
        const gc = (globalThis as { gc?: () => void }).gc;
        gc?.();
        gc?.();
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return { ok: true };
      }
      case 'send':
        return { sent: await send(message) };
      case 'exit':
        for (const sock of sockets.values()) sock.end(undefined);
        setTimeout(() => process.exit(0), 100);
        return { ok: true };
    }
  };
  run().then(
    (body) => reply({ ok: true, ...body }),
    (error: unknown) => reply({ ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.send?.({ ready: true });
