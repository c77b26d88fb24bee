/** The column-type differences between the two drivers, in one place for every migration. */
import { sql, type RawBuilder } from 'kysely';
import type { Dialect } from '../database.ts';

export interface ColumnTypes {
  /** Raw bytes: BLOB on SQLite, BYTEA on PostgreSQL (both read back as Buffer). */
  blob: 'blob' | 'bytea';
  /** Clause making text compare byte by byte (SQLite's default BINARY; PostgreSQL needs "C"). */
  binaryCollation: RawBuilder<unknown>;
}

export function columnTypes(dialect: Dialect): ColumnTypes {
  return dialect === 'postgres'
    ? { blob: 'bytea', binaryCollation: sql`collate "C"` }
    : { blob: 'blob', binaryCollation: sql`collate binary` };
}
