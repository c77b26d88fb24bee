/**
 * Maps driver errors to port errors. Both drivers expose a `code` property: better-sqlite3 uses
 * SQLITE_CONSTRAINT_* names, pg uses SQLSTATE codes (23505 = unique_violation).
 */
import { StorageConflictError } from '../ports.ts';

const SQLITE_UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_PRIMARYKEY', 'SQLITE_CONSTRAINT_UNIQUE']);
const PG_UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' && (SQLITE_UNIQUE_CODES.has(code) || code === PG_UNIQUE_VIOLATION);
}

/** Runs an insert; a duplicate key becomes a StorageConflictError naming what collided. */
export async function insertOrConflict(what: string, insert: () => Promise<unknown>): Promise<void> {
  try {
    await insert();
  } catch (error) {
    if (isUniqueViolation(error)) throw new StorageConflictError(`${what} already exists`);
    throw error;
  }
}
