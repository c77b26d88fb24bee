/** Describes the machine and its load at the moment, for the report header. */
import { execSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { pinningLine } from './pin.ts';
import { loadAverage } from './procfs.ts';

export function machineLine(): string {
  const commit = process.env.BENCH_COMMIT ?? safe(() => execSync('git rev-parse --short HEAD', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  return `date ${new Date().toISOString()} · ${cpus().length} cores · ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM · node ${process.version} · load ${loadAverage()} · commit ${commit} · ${pinningLine()}`;
}

function safe(read: () => string): string {
  try {
    return read();
  } catch {
    return 'unknown';
  }
}
