/**
 * The portable form of a session (ARCHITECTURE.md invariant 4): its config and auth state, sealed
 * with a passphrase so it can move to another installation with another master key.
 *
 * scrypt (N=2^15, r=8, p=1) turns the passphrase and a random salt into an AES-256-GCM key; the
 * header (format, version, source session, time, KDF parameters) is the authenticated data, so an
 * edited header is refused like an edited body. Pure: no storage, no logging.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { z } from 'zod';

export const SESSION_BUNDLE_FORMAT = 'wafleet.session-bundle' as const;
export const PASSPHRASE_MIN_LENGTH = 12;

const SCRYPT = { N: 32768, r: 8, p: 1 } as const;

/** What the sealed part holds. Values are the plaintext auth-state entries (base64). */
export interface SessionBundleContent {
  session: { id: string; engine: string; config: Record<string, unknown>; me: { id: string; lid?: string; name?: string } | null };
  authState: Array<{ category: string; keyId: string; value: string }>;
}

const headerSchema = z.object({
  format: z.literal(SESSION_BUNDLE_FORMAT),
  version: z.literal(1),
  sessionId: z.string().min(1).max(200),
  exportedAt: z.number().int(),
  kdf: z.object({ name: z.literal('scrypt'), salt: z.base64(), N: z.literal(SCRYPT.N), r: z.literal(SCRYPT.r), p: z.literal(SCRYPT.p) }),
  cipher: z.literal('aes-256-gcm'),
});

export const sessionBundleSchema = headerSchema.extend({ iv: z.base64(), tag: z.base64(), data: z.base64() });
export type SessionBundle = z.infer<typeof sessionBundleSchema>;

const contentSchema = z.object({
  session: z.object({
    id: z.string(),
    engine: z.string().min(1),
    config: z.record(z.string(), z.unknown()),
    me: z.object({ id: z.string(), lid: z.string().optional(), name: z.string().optional() }).nullable(),
  }),
  authState: z.array(z.object({ category: z.string().min(1), keyId: z.string(), value: z.base64() })),
});

function deriveKey(passphrase: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(passphrase, salt, 32, { ...SCRYPT, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

function headerBytes(bundle: z.infer<typeof headerSchema>): Buffer {
  const { format, version, sessionId, exportedAt, kdf, cipher } = bundle;
  return Buffer.from(JSON.stringify({ format, version, sessionId, exportedAt, kdf, cipher }));
}

export async function sealSessionBundle(content: SessionBundleContent, passphrase: string, now: number): Promise<SessionBundle> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const header = {
    format: SESSION_BUNDLE_FORMAT,
    version: 1 as const,
    sessionId: content.session.id,
    exportedAt: now,
    kdf: { name: 'scrypt' as const, salt: salt.toString('base64'), ...SCRYPT },
    cipher: 'aes-256-gcm' as const,
  };
  const cipher = createCipheriv('aes-256-gcm', await deriveKey(passphrase, salt), iv);
  cipher.setAAD(headerBytes(header));
  const data = Buffer.concat([cipher.update(JSON.stringify(content), 'utf8'), cipher.final()]);
  return { ...header, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

export class BundleError extends Error {
  constructor(
    readonly kind: 'shape' | 'unreadable',
    message: string,
  ) {
    super(message);
    this.name = 'BundleError';
  }
}

/** Opens a bundle: BundleError('shape') for something that is not one, ('unreadable') for a wrong passphrase or an altered bundle. */
export async function openSessionBundle(input: unknown, passphrase: string): Promise<{ header: SessionBundle; content: SessionBundleContent }> {
  const parsed = sessionBundleSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BundleError('shape', `bundle.${issue?.path.join('.') || ''} ${issue?.message ?? 'is invalid'}`.replace(/\.\s/, ' '));
  }
  const bundle = parsed.data;
  let plaintext: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', await deriveKey(passphrase, Buffer.from(bundle.kdf.salt, 'base64')), Buffer.from(bundle.iv, 'base64'));
    decipher.setAAD(headerBytes(bundle));
    decipher.setAuthTag(Buffer.from(bundle.tag, 'base64'));
    plaintext = Buffer.concat([decipher.update(Buffer.from(bundle.data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new BundleError('unreadable', 'the bundle cannot be opened with this passphrase (wrong passphrase, or the bundle was altered)');
  }
  const content = contentSchema.safeParse(JSON.parse(plaintext));
  if (!content.success) throw new BundleError('shape', 'the bundle opened but its content is not a wafleet session');
  return { header: bundle, content: content.data };
}
