// Shared helpers for the media host tests.
import { spawn } from 'node:child_process';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTPS request trusting `ca` explicitly (in-process alternative to NODE_EXTRA_CA_CERTS). */
export function httpsRequest(
  url: string,
  opts: { ca: string; method?: string; headers?: Record<string, string>; body?: Buffer },
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, ca: opts.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Runs the Baileys client fixture in a child process with NODE_EXTRA_CA_CERTS pointing at `certPath`. */
export function runBaileysClient(env: Record<string, string>, certPath: string): Promise<any> {
  const script = fileURLToPath(new URL('./fixtures/baileys-client.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, ...env, NODE_EXTRA_CA_CERTS: certPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`child output not JSON: ${out}\n${err}`));
      }
    });
  });
}
