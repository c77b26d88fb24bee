/**
 * Free text for TEXT columns. PostgreSQL text cannot hold U+0000 (the write fails with "invalid
 * byte sequence for encoding UTF8: 0x00") while SQLite stores it. Names, chat subjects and failure
 * reasons come from other people and may carry one; it must not fail a whole contacts batch, and
 * only on one driver. Both drivers store U+FFFD instead, the replacement UTF-8 encoding already
 * makes for lone surrogates. JSON columns need nothing: JSON.stringify escapes U+0000.
 */
export function storableText(value: string): string;
export function storableText(value: string | null): string | null;
export function storableText(value: string | null): string | null {
  return value === null ? null : value.replaceAll('\u0000', '\ufffd');
}
