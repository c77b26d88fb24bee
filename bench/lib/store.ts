/** Where the benchmarked wafleet keeps its data: SQLite in its temp dir, or (`--pg URL`) a PostgreSQL schema of its own. */
import { randomBytes } from 'node:crypto';
import { dropPostgresSchema } from '../../src/storage/postgres/open-postgres.ts';

export interface BenchStore {
  label: 'SQLite' | 'PostgreSQL';
  /** For the wafleet child's environment. */
  env: Record<string, string>;
  /** Drops the PostgreSQL schema (nothing for SQLite: the temp dir goes with the run). */
  drop(): Promise<void>;
}

export function benchStore(pgUrl: string | undefined, benchName: string): BenchStore {
  if (!pgUrl) return { label: 'SQLite', env: {}, drop: async () => undefined };
  const schema = `bench_${benchName}_${randomBytes(4).toString('hex')}`;
  return {
    label: 'PostgreSQL',
    env: { DATABASE_URL: pgUrl, WAFLEET_DATABASE_SCHEMA: schema },
    drop: () => dropPostgresSchema(pgUrl, schema).catch(() => undefined),
  };
}
