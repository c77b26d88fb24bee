/**
 * A real wafleet server (`node … src/main.ts serve`) as a child process against the simulator:
 * SQLite in a temp dir, loopback only. Measured from outside (/proc, /metrics); it runs the same
 * code as production, with only the test preload that pins Baileys' certificate root to the sim.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { httpRequest } from './http-client.ts';
import { pinServer, pinTo } from './pin.ts';
import { now, sleep } from './stats.ts';

export const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const ROOT = new URL('../..', import.meta.url).pathname;

export interface WafleetProc {
  pid: number;
  url: string;
  child: ChildProcess;
  /** ms from spawn until /health answered. */
  readyMs: number;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }>;
  metrics(): Promise<Metrics>;
  /** Full GC in the child (bench/lib/bench-preload.mjs), then a short pause for the heap to shrink. */
  gc(): Promise<void>;
  /** SIGTERM and wait for exit; returns ms taken. */
  stop(): Promise<number>;
  /** Sends `signal` (e.g. SIGKILL for a crash) without reporting the exit as unexpected; resolves on exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

export interface Metrics {
  working: number;
  byStatus: Record<string, number>;
  heapUsed: number;
  heapTotal: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface SpawnOptions {
  dataDir: string;
  waUrl: string;
  simRootKey: string;
  masterKey: string;
  env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  /** taskset CPU list for this process only (overrides BENCH_SERVER_CPUS), e.g. "1". */
  cpus?: string;
  logFile?: string;
}

/** BENCH_NODE_FLAGS="--perf-basic-prof --interpreted-frames-native-stack" lets `perf record -p` name JS frames. */
function extraNodeFlags(): string[] {
  return (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
}

export async function spawnWafleet(options: SpawnOptions): Promise<WafleetProc> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = now();
  const child = spawn(
    process.execPath,
    // The compiled server, as `npm start` runs it (the bench:* scripts build it first).
    [...(options.nodeFlags ?? []), ...extraNodeFlags(), '--expose-gc', '--import', './bench/lib/bench-preload.mjs', 'dist/main.js', 'serve'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        WAFLEET_HOST: '127.0.0.1',
        WAFLEET_PORT: String(port),
        WAFLEET_DATA_DIR: options.dataDir,
        WAFLEET_WA_URL: options.waUrl,
        WAFLEET_SIM_ROOT_KEY: options.simRootKey,
        WAFLEET_ADMIN_KEY: ADMIN_KEY,
        WAFLEET_MASTER_KEY: options.masterKey,
        WAFLEET_LOG_LEVEL: 'warn',
        // Capacity is measured, not the per-key API rate limit (50 req/s by default); 0 turns it off.
        WAFLEET_RATE_LIMIT_RPS: '0',
        // Bench switches for the preloads (e.g. BENCH_SQL_STACKS) pass through.
        ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('BENCH_'))),
        ...options.env,
      },
    },
  );
  if (options.cpus) pinTo(child.pid!, options.cpus);
  else pinServer(child.pid);
  const log = createWriteStream(options.logFile ?? join(options.dataDir, 'wafleet.log'), { flags: 'a' });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (stopping) return;
    // An unexpected death: say so at once, with the end of its log (the data dir may be removed later).
    setTimeout(() => {
      let tail = '';
      try {
        tail = readFileSync(options.logFile ?? join(options.dataDir, 'wafleet.log'), 'utf8').slice(-4000);
      } catch {
        tail = '(no log)';
      }
      console.error(`wafleet pid ${child.pid} exited unexpectedly (code ${code}, signal ${signal}); log tail:\n${tail}`);
    }, 200);
  });

  const api = async (method: string, path: string, body?: unknown) => {
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const { status, text } = await httpRequest(`${url}${path}`, method, headers, body === undefined ? undefined : JSON.stringify(body));
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status, body: parsed, text };
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wafleet exited with ${child.exitCode}; see ${options.dataDir}/wafleet.log`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('wafleet did not answer /health in 60 s');
    await sleep(50);
  }
  const readyMs = now() - started;

  return {
    pid: child.pid!,
    url,
    child,
    readyMs,
    api,
    async metrics() {
      const response = await api('GET', '/metrics');
      return parseMetrics(response.text);
    },
    async gc() {
      child.kill('SIGUSR2');
      await sleep(1500);
    },
    async stop() {
      stopping = true;
      const t0 = now();
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
      return now() - t0;
    },
    async kill(signal) {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        await exited;
      }
      log.end();
    },
  };
}

export function parseMetrics(text: string): Metrics {
  const byStatus: Record<string, number> = {};
  let heapUsed = NaN;
  let heapTotal = NaN;
  for (const line of text.split('\n')) {
    const session = /^wafleet_sessions\{([^}]*)\}\s+(\S+)/.exec(line);
    if (session) {
      const status = /status="([^"]+)"/.exec(session[1]!)?.[1] ?? '?';
      byStatus[status] = (byStatus[status] ?? 0) + Number(session[2]);
      continue;
    }
    if (line.startsWith('wafleet_process_nodejs_heap_size_used_bytes ')) heapUsed = Number(line.split(' ')[1]);
    if (line.startsWith('wafleet_process_nodejs_heap_size_total_bytes ')) heapTotal = Number(line.split(' ')[1]);
  }
  return { working: byStatus.WORKING ?? 0, byStatus, heapUsed, heapTotal };
}

/** Polls /metrics until `count` sessions are WORKING; returns ms waited (from `since`). */
export async function waitWorking(proc: WafleetProc, count: number, since: number, timeoutMs: number, onProgress?: (m: Metrics) => void): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last: Metrics | undefined;
  let lastReport = 0;
  for (;;) {
    last = await proc.metrics();
    if (last.working >= count) return now() - since;
    if (onProgress && Date.now() - lastReport > 5_000) {
      lastReport = Date.now();
      onProgress(last);
    }
    if (Date.now() > deadline) throw new Error(`only ${last.working}/${count} WORKING after ${timeoutMs} ms: ${JSON.stringify(last.byStatus)}`);
    await sleep(100);
  }
}
