/** Plumbing of the storage-level benchmarks (bench:claim, bench:queue): a fresh store per case, one report. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage } from '../../src/storage/create-storage.ts';
import type { Storage } from '../../src/storage/ports.ts';
import { dropPostgresSchema } from '../../src/storage/postgres/open-postgres.ts';
import { machineLine } from './machine.ts';
import { summarize } from './stats.ts';

/** Runs fn on an empty store: SQLite in a temp dir, or (pgUrl) a PostgreSQL schema dropped afterwards. */
export async function withBenchStorage<T>(pgUrl: string | undefined, name: string, fn: (storage: Storage) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `wafleet-bench-${name}-`));
  const schema = `bench_${name}_${process.pid}_${Date.now()}`;
  const storage = await createStorage(pgUrl ? { databaseUrl: pgUrl, schema, dataDir: dir } : { dataDir: dir });
  try {
    return await fn(storage);
  } finally {
    await storage.close();
    if (pgUrl) await dropPostgresSchema(pgUrl, schema).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** "mean | p50 / p99" of timings in ms, as µs table cells. */
export function microsecondCells(times: number[]): string {
  const s = summarize(times);
  return `${(s.mean * 1000).toFixed(0)} | ${(s.p50 * 1000).toFixed(0)} / ${(s.p99 * 1000).toFixed(0)}`;
}

export function printReport(title: string, pgUrl: string | undefined, command: string, header: string[], rows: string[]): void {
  console.log(`## ${title} — ${machineLine()}`);
  console.log(`store: ${pgUrl ? 'PostgreSQL' : 'SQLite'} · command: ${command}`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(row);
}
