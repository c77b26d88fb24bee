/** Creates and pairs wafleet sessions without a person: QR from the API, "scanned" by the sim's admin API. */
import type { SimHost } from './sim-host.ts';
import { pool, sleep } from './stats.ts';
import type { WafleetProc } from './wafleet-proc.ts';

export const TENANT = 'bench';

export async function ensureTenant(proc: WafleetProc, maxSessions: number): Promise<void> {
  const created = await proc.api('POST', '/v1/tenants', { id: TENANT, name: 'Benchmark', maxSessions });
  if (created.status === 409) {
    const patched = await proc.api('PATCH', `/v1/tenants/${TENANT}`, { maxSessions });
    if (patched.status !== 200) throw new Error(`tenant patch: ${patched.text}`);
  } else if (created.status !== 201) throw new Error(`tenant create: ${created.text}`);
}

async function waitStatus(proc: WafleetProc, id: string, wanted: string, timeoutMs: number): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await proc.api('GET', `/v1/sessions/${id}`);
    if (got.body?.status === wanted) return got.body;
    if (Date.now() > deadline) throw new Error(`${id}: status ${got.body?.status} (${got.body?.statusReason ?? ''}), wanted ${wanted}`);
    await sleep(100);
  }
}

/** Pairs one session end to end; returns ms from create to WORKING. */
export async function pairSession(proc: WafleetProc, sim: SimHost, id: string, phone: string): Promise<number> {
  const t0 = Date.now();
  const created = await proc.api('POST', '/v1/sessions', { id, tenant: TENANT, start: true });
  if (created.status !== 201) throw new Error(`create ${id}: ${created.text}`);
  await waitStatus(proc, id, 'SCAN_QR', 120_000);
  const qr = await proc.api('GET', `/v1/sessions/${id}/qr?format=raw`);
  if (qr.status !== 200) throw new Error(`qr ${id}: ${qr.text}`);
  await sim.scanQr(qr.text, phone);
  await waitStatus(proc, id, 'WORKING', 120_000);
  return Date.now() - t0;
}

export const sessionPhone = (index: number): string => `1555${String(index).padStart(7, '0')}`;
export const sessionId = (index: number): string => `bench-${String(index).padStart(4, '0')}`;

/** Pairs sessions [from, to) with `concurrency` in flight; returns per-session pairing times. */
export async function provisionRange(proc: WafleetProc, sim: SimHost, from: number, to: number, concurrency: number, log: (line: string) => void): Promise<number[]> {
  const indexes = Array.from({ length: to - from }, (_, i) => from + i);
  let done = 0;
  return pool(indexes, concurrency, async (index) => {
    const ms = await pairSession(proc, sim, sessionId(index), sessionPhone(index));
    done++;
    if (done % 25 === 0 || done === indexes.length) log(`  paired ${from + done}/${to}`);
    return ms;
  });
}
