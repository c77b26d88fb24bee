/** Parent side of the raw-Baileys floor process (raw-baileys-child.ts), over IPC. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { pinServer } from './pin.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

export interface RawBaileys {
  pid: number;
  pair(from: number, to: number, concurrency: number): Promise<number[]>;
  memory(): Promise<NodeJS.MemoryUsage>;
  gc(): Promise<void>;
  /** Message i goes from socket sessions[i mod S] to to[⌊i / S⌋ mod C]. */
  send(sessions: number[], to: string[], count: number, concurrency: number, prefix: string): Promise<Array<{ id: string; t0: number; t1: number }>>;
  stop(): Promise<void>;
}

export const RAW_PHONE_PREFIX = '1666';

export async function spawnRawBaileys(options: { wsUrl: string; adminUrl: string; simRootKey: string; logFile: string }): Promise<RawBaileys> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', '--import', './test/helpers/sim-trust-preload.ts', 'bench/lib/raw-baileys-child.ts'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', WAFLEET_SIM_ROOT_KEY: options.simRootKey } },
  );
  pinServer(child.pid);
  const log = createWriteStream(options.logFile, { flags: 'a' });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let queue: Promise<unknown> = Promise.resolve();
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`raw Baileys process exited with ${code}; see ${options.logFile}`)));
  });
  // One command at a time: each reply is the next message.
  const call = <T>(command: Record<string, unknown>): Promise<T> => {
    const result = queue.then(
      () =>
        new Promise<T>((resolve, reject) => {
          child.once('message', (reply: any) => (reply.ok ? resolve(reply as T) : reject(new Error(reply.error))));
          child.send(command);
        }),
    );
    queue = result.catch(() => undefined);
    return result;
  };
  return {
    pid: child.pid!,
    async pair(from, to, concurrency) {
      return (await call<{ times: number[] }>({ cmd: 'pair', from, to, concurrency, wsUrl: options.wsUrl, adminUrl: options.adminUrl, phonePrefix: RAW_PHONE_PREFIX })).times;
    },
    async memory() {
      return (await call<{ memory: NodeJS.MemoryUsage }>({ cmd: 'mem' })).memory;
    },
    async gc() {
      await call({ cmd: 'gc' });
    },
    async send(sessions, to, count, concurrency, prefix) {
      return (await call<{ sent: Array<{ id: string; t0: number; t1: number }> }>({ cmd: 'send', sessions, to, count, concurrency, prefix })).sent;
    },
    async stop() {
      if (child.exitCode === null) {
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.send({ cmd: 'exit' });
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}
