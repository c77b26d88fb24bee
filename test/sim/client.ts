import makeWASocket, {
  type AuthenticationCreds,
  type BaileysEventMap,
  initAuthCreds,
  type SignalDataTypeMap,
  type SignalKeyStore,
  type WASocket,
} from 'baileys';
import pino from 'pino';

/** Simple in-memory Baileys auth state (creds + keys), reusable across reconnects. */
export interface MemoryAuth {
  creds: AuthenticationCreds;
  keys: SignalKeyStore;
  /** The raw `<type>:<id>` → value map behind `keys` (tests use it to break sessions on purpose). */
  data: Map<string, unknown>;
}

export function memoryAuth(): MemoryAuth {
  const data = new Map<string, unknown>();
  const keys: SignalKeyStore = {
    get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
      const out: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) {
        const value = data.get(`${type}:${id}`);
        if (value !== undefined) out[id] = value as SignalDataTypeMap[T];
      }
      return out;
    },
    set: async (values) => {
      for (const [type, entries] of Object.entries(values)) {
        for (const [id, value] of Object.entries(entries ?? {})) {
          if (value === null || value === undefined) data.delete(`${type}:${id}`);
          else data.set(`${type}:${id}`, value);
        }
      }
    },
  };
  return { creds: initAuthCreds(), keys, data };
}

/*
 * Baileys arms a 30 s pre-key upload timeout (and a 20 s initial-sync timer) that it never
 * clears; they would keep every test process alive half a minute after its sockets closed.
 * Unref long timers created from here on so a finished test file exits at once.
 */
const realSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = ((fn: (...a: any[]) => void, ms?: number, ...args: any[]) => {
  const timer = realSetTimeout(fn, ms, ...args);
  if ((ms ?? 0) >= 5_000) timer.unref();
  return timer;
}) as typeof setTimeout;

const silent = pino({ level: process.env.SIM_TEST_LOG ?? 'silent' });

export interface ClientOptions {
  keepAliveIntervalMs?: number;
}

/** A real, unmodified Baileys socket pointed at the simulator; creds updates are applied in place. */
export function connectClient(wsUrl: string, auth: MemoryAuth, opts: ClientOptions = {}): WASocket {
  const sock = makeWASocket({
    waWebSocketUrl: wsUrl,
    auth,
    logger: silent as any,
    printQRInTerminal: false,
    markOnlineOnConnect: false,
    fireInitQueries: true,
    syncFullHistory: false,
    keepAliveIntervalMs: opts.keepAliveIntervalMs ?? 30_000,
    connectTimeoutMs: 10_000,
    defaultQueryTimeoutMs: 10_000,
  });
  sock.ev.on('creds.update', (update) => Object.assign(auth.creds, update));
  return sock;
}

/** Resolves with the first event payload that matches; rejects after `ms`. */
export function waitForEvent<E extends keyof BaileysEventMap>(
  sock: WASocket,
  event: E,
  match: (payload: BaileysEventMap[E]) => boolean = () => true,
  ms = 15_000,
): Promise<BaileysEventMap[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sock.ev.off(event, listener);
      reject(new Error(`timed out waiting for ${String(event)}`));
    }, ms);
    const listener = (payload: BaileysEventMap[E]) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      sock.ev.off(event, listener);
      resolve(payload);
    };
    sock.ev.on(event, listener);
  });
}

export const waitForQr = (sock: WASocket) => waitForEvent(sock, 'connection.update', (u) => !!u.qr).then((u) => u.qr!);
export const waitForOpen = (sock: WASocket) => waitForEvent(sock, 'connection.update', (u) => u.connection === 'open');
export const waitForClose = (sock: WASocket) =>
  waitForEvent(sock, 'connection.update', (u) => u.connection === 'close').then(
    (u) => (u.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode,
  );

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

export async function getJson(url: string): Promise<any> {
  return (await fetch(url)).json();
}

/** Closes a socket without logging out and waits until it reports closed. */
export async function closeClient(sock: WASocket | undefined): Promise<void> {
  if (!sock) return;
  const closed = waitForClose(sock).catch(() => undefined);
  sock.end(undefined);
  await closed;
}

export interface PairedClient {
  auth: MemoryAuth;
  sock: WASocket;
  phone: string;
  device: number;
  lid: string;
}

/** Links a fresh Baileys client to `phone` by QR, follows the 515 restart and waits for open. */
export async function pairClient(sim: { wsUrl: string; adminUrl: string }, phone: string, name: string, opts: ClientOptions = {}): Promise<PairedClient> {
  const auth = memoryAuth();
  const first = connectClient(sim.wsUrl, auth, opts);
  const qr = await waitForQr(first);
  const restarted = waitForClose(first);
  const scan = await postJson(`${sim.adminUrl}/admin/scan-qr`, { qr, phone, name });
  if (scan.status !== 200) throw new Error(`scan-qr failed: ${JSON.stringify(scan.body)}`);
  if ((await restarted) !== 515) throw new Error('expected a 515 restart after pairing');
  const sock = connectClient(sim.wsUrl, auth, opts);
  await waitForOpen(sock);
  return { auth, sock, phone, device: scan.body.device, lid: scan.body.lid };
}
