/** JSON and number helpers for rows: JSON lives in TEXT columns, int8 may arrive as a string. */

export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function fromJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/**
 * The pg pool we create parses int8 to number, and better-sqlite3 returns numbers; this also
 * accepts strings/bigints so a row read through another pool still maps correctly.
 */
export function toMillis(value: number | string | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

export function toMillisOrNull(value: number | string | bigint | null): number | null {
  return value === null ? null : toMillis(value);
}
