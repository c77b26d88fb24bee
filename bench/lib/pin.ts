/**
 * Optional CPU pinning for the benchmarks, to take the scheduler out of the figures: on this 2-vCPU
 * VM the same bench:api run gave 34% and 76% of bare Fastify depending on where the kernel put the
 * load loop and the server (a wake-up across cores costs the server more than the request itself).
 *   BENCH_SERVER_CPUS=1 BENCH_CLIENT_CPUS=0 npm run bench:api
 * pins every server child (wafleet, bare Fastify, the raw Baileys process) to CPU 1 and this process
 * (load loop, simulator) to CPU 0. Unset: no pinning (the default). Linux only (taskset).
 */
import { execFileSync } from 'node:child_process';

function pin(pid: number, cpus: string | undefined): void {
  if (!cpus) return;
  // -a: every thread the process has already started (V8's and libuv's workers), not only the main one.
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/** Pins one process (all its threads) to `cpus`, e.g. "0" or "0,1". */
export function pinTo(pid: number, cpus: string): void {
  pin(pid, cpus);
}

export function pinServer(pid: number | undefined): void {
  if (pid !== undefined) pin(pid, process.env.BENCH_SERVER_CPUS);
}

export function pinClient(): void {
  pin(process.pid, process.env.BENCH_CLIENT_CPUS);
}

export function pinningLine(): string {
  const server = process.env.BENCH_SERVER_CPUS;
  const client = process.env.BENCH_CLIENT_CPUS;
  return server || client ? `pinned: servers to CPU ${server ?? 'any'}, load loop and simulator to CPU ${client ?? 'any'}` : 'not pinned';
}
