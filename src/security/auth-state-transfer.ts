/**
 * Export and import of one session's auth state (ARCHITECTURE.md invariant 4: "portable").
 *
 * The export is JSON-safe and keeps every value sealed (base64 of the AES-GCM blob): it is only
 * readable with the same master key, so an export file is no more sensitive than a database backup.
 * Values stay bound to the source (sessionId, category, keyId); import opens each one under that
 * address and reseals it for the target session, so a login can move to a new session id, and a
 * blob from another master key or an edited file is refused before anything is written.
 */
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import type { AuthStateRepository, AuthStateWrite } from '../storage/ports.ts';
import type { AuthStateCipher } from './cipher.ts';

export const AUTH_STATE_EXPORT_FORMAT = 'wafleet.auth-state';

export interface AuthStateExport {
  format: typeof AUTH_STATE_EXPORT_FORMAT;
  version: 1;
  /** The session the values are sealed for (part of each value's authenticated data). */
  sessionId: string;
  entries: Array<{ category: string; keyId: string; value: string }>;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const exportSchema = z.object({
  format: z.literal(AUTH_STATE_EXPORT_FORMAT),
  version: z.literal(1),
  sessionId: z.string().min(1),
  entries: z.array(z.object({ category: z.string().min(1), keyId: z.string(), value: z.string().regex(BASE64, 'must be base64') })),
});

/** Every row of the session, still sealed. Each value is checked first: a corrupt store is not exported. */
export async function exportAuthState(repo: AuthStateRepository, cipher: AuthStateCipher, sessionId: string): Promise<AuthStateExport> {
  const rows = await repo.dump(sessionId);
  for (const row of rows) cipher.decrypt({ sessionId, category: row.category, keyId: row.keyId }, row.value);
  return {
    format: AUTH_STATE_EXPORT_FORMAT,
    version: 1,
    sessionId,
    entries: rows.map((row) => ({ category: row.category, keyId: row.keyId, value: row.value.toString('base64') })),
  };
}

/**
 * Replaces the target session's auth state with the export, in one atomic repository write
 * (rows absent from the export are deleted in the same batch). Bad input changes nothing.
 */
export async function importAuthState(
  repo: AuthStateRepository,
  cipher: AuthStateCipher,
  targetSessionId: string,
  data: unknown,
): Promise<{ entries: number }> {
  const parsed = exportSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('VALIDATION_FAILED', `Auth-state export is not valid: ${issue?.path.join('.') || 'body'} ${issue?.message ?? 'is invalid'}.`);
  }
  const source = parsed.data;
  const imported = new Map<string, AuthStateWrite>();
  for (const { category, keyId, value } of source.entries) {
    let plaintext: Buffer;
    try {
      plaintext = cipher.decrypt({ sessionId: source.sessionId, category, keyId }, Buffer.from(value, 'base64'));
    } catch {
      throw new AppError(
        'VALIDATION_FAILED',
        `Auth-state export entry (category "${category}", key "${keyId}") cannot be opened with this server's master key: it was exported under another key or altered.`,
      );
    }
    const sealed = cipher.encrypt({ sessionId: targetSessionId, category, keyId }, plaintext);
    imported.set(JSON.stringify([category, keyId]), { category, keyId, value: sealed });
  }
  const stale = (await repo.dump(targetSessionId))
    .filter((row) => !imported.has(JSON.stringify([row.category, row.keyId])))
    .map((row): AuthStateWrite => ({ category: row.category, keyId: row.keyId, value: null }));
  await repo.write(targetSessionId, [...stale, ...imported.values()]);
  return { entries: imported.size };
}
