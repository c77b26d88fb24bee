/** A bounded HTTP load loop over keep-alive connections (loopback): `connections` requests in flight for `durationMs`. */
import { Agent, request } from 'node:http';
import { now, summarize } from './stats.ts';

export interface LoadResult { requests: number; errors: number; rps: number; p50: number; p90: number; p99: number; max: number }

export async function load(url: string, options: { connections: number; durationMs: number; headers?: Record<string, string> }): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const target = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  const started = now();
  const deadline = started + options.durationMs;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = now();
      const req = request({ agent, host: target.hostname, port: target.port, path: target.pathname + target.search, method: 'GET', headers: options.headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(now() - t0);
          else errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (now() < deadline) await one();
    }),
  );
  const elapsed = (now() - started) / 1000;
  agent.destroy();
  const s = summarize(latencies);
  return { requests: latencies.length, errors, rps: latencies.length / elapsed, p50: s.p50, p90: s.p90, p99: s.p99, max: s.max };
}
