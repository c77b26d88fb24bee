/** The pg pool wafleet creates: its own type parsers and, optionally, its own schema. */
import pg from 'pg';

/** OID of int8/bigint. pg returns it as a string by default (it may exceed 2^53). */
const INT8_OID = 20;

/** Unquoted PostgreSQL identifier: safe to put in search_path and in DDL without escaping. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`Invalid PostgreSQL schema name "${schema}": use lower-case letters, digits and "_" (max 63).`);
  }
}

export interface PgPoolOptions {
  url: string;
  schema?: string;
  max?: number;
  /** How long acquiring a new connection may take (default 10 s). */
  connectTimeoutMs?: number;
  /** Errors of idle pooled connections (server restart, network cut). */
  onIdleError?: (error: Error) => void;
}

export function createPgPool(options: PgPoolOptions): pg.Pool {
  // Per-pool overrides, never pg.types.setTypeParser: a global parser would change the behaviour
  // of every other pg user in the process. Our int8 columns hold epoch ms and counts, both far
  // below 2^53, so Number is exact.
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, (value: string) => Number(value));
  if (options.schema !== undefined) assertSchemaName(options.schema);
  const pool = new pg.Pool({
    connectionString: options.url,
    // Two at least: migrations hold an advisory lock on one connection while running on another.
    max: Math.max(2, options.max ?? 10),
    // pg waits forever for a connection by default; /ready (ping) must answer "down", not hang.
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types,
    // A startup parameter, so every pooled connection has it before its first query (a 'connect'
    // handler that runs SET would race the first query).
    ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // Without a listener, an idle connection dropped by the server emits an unhandled 'error' and
  // kills the process. The pool discards that connection and the next query opens a new one.
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}
