/** Runs `wafleet serve` as a real child process (as a user starts it) and talks to it over HTTP. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

/** What `npm start` runs: the build of src/ (`npm run build`; `npm test` builds it before the tests). */
export function compiledMain(): string {
  const main = new URL('../../dist/main.js', import.meta.url).pathname;
  if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" first (npm test does).`);
  return main;
}

export interface ServedWafleet {
  child: ChildProcess;
  /** Resolves with the listening address once the server logged it; rejects if it exits first. */
  url: Promise<string>;
  /** Resolves with the exit code. */
  exit: Promise<number | null>;
  output(): string;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts `node --import tsx [--import preload…] src/main.ts serve` with exactly `env`; with
 * `compiled`, `node dist/main.js serve` as `npm start` does (preloads must then be JavaScript);
 * `main` and `cwd` run another copy of the build (the image contents test).
 */
export function serveWafleet(env: NodeJS.ProcessEnv, preloads: string[] = [], options: { compiled?: boolean; main?: string; cwd?: string } = {}): ServedWafleet {
  const imports = [...(options.compiled ? [] : ['tsx']), ...preloads].flatMap((module) => ['--import', module]);
  const main = options.main ?? (options.compiled ? compiledMain() : MAIN);
  const child = spawn(process.execPath, [...imports, main, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}) });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"address":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', () => reject(new Error(`exited before listening:\n${output}`)));
  });
  url.catch(() => undefined);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, url, exit, output: () => output, kill: (signal) => child.kill(signal) };
}

/** A JSON request with an optional API key; non-JSON answers come back as text. */
export async function httpJson(base: string, method: string, path: string, key?: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}
