/**
 * API keys: random, shown once, stored as a SHA-256 hash, revocable.
 * The secret has 256 bits of entropy, so an unsalted fast hash is enough to make a stolen table useless.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord, KeyScope } from '../domain/records.ts';
import { KEY_SCOPES } from '../domain/records.ts';
import type { Storage } from '../storage/ports.ts';
import { AppError } from '../errors/app-error.ts';
import type { Principal } from './principal.ts';
import type { Clock } from '../clock.ts';

/** Makes keys recognisable in secret scanners and logs. */
const KEY_PREFIX = 'wfk_';
const ENV_ADMIN_KEY_ID = 'admin-env';
/**
 * Every request authenticates; remembering a valid key briefly saves a database read per request.
 * Revocation on this node is immediate; on other nodes of a cluster it takes effect within the TTL.
 */
const PRINCIPAL_TTL_MS = 5_000;
const PRINCIPAL_CACHE_MAX = 10_000;

export interface IssuedKey {
  record: ApiKeyRecord;
  /** The only time the secret leaves the process. */
  key: string;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export class ApiKeyService {
  private readonly principals = new Map<string, { principal: Principal; expiresAt: number }>();

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly newId: () => string,
  ) {}

  async issue(tenantId: string | null, name: string, scopes: readonly KeyScope[]): Promise<IssuedKey> {
    const key = KEY_PREFIX + randomBytes(32).toString('base64url');
    const record: ApiKeyRecord = {
      id: this.newId().toLowerCase(),
      tenantId,
      name,
      scopes: tenantId === null ? [...KEY_SCOPES] : [...new Set(scopes)],
      hash: hashKey(key),
      createdAt: this.clock.now(),
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.storage.apiKeys.create(record);
    return { record, key };
  }

  /**
   * Makes sure an admin key exists. With WAFLEET_ADMIN_KEY set, that key is registered (by hash);
   * otherwise, on the first start only, a new admin key is created and returned so it can be shown once.
   */
  async ensureAdminKey(configuredKey: string | undefined): Promise<string | undefined> {
    if (configuredKey) {
      const hash = hashKey(configuredKey);
      const existing = await this.storage.apiKeys.get(ENV_ADMIN_KEY_ID);
      if (existing?.hash === hash && existing.revokedAt === null) return undefined;
      if (existing) await this.storage.apiKeys.revoke(ENV_ADMIN_KEY_ID, this.clock.now());
      const id = existing ? `${ENV_ADMIN_KEY_ID}-${this.newId().toLowerCase()}` : ENV_ADMIN_KEY_ID;
      await this.storage.apiKeys.create({
        id,
        tenantId: null,
        name: 'WAFLEET_ADMIN_KEY',
        scopes: [...KEY_SCOPES],
        hash,
        createdAt: this.clock.now(),
        revokedAt: null,
        lastUsedAt: null,
      });
      return undefined;
    }
    const admins = await this.storage.apiKeys.listByTenant(null);
    if (admins.some((key) => key.revokedAt === null)) return undefined;
    const issued = await this.issue(null, 'bootstrap admin', KEY_SCOPES);
    return issued.key;
  }

  async authenticate(presented: string | undefined): Promise<Principal> {
    if (!presented) {
      throw new AppError('UNAUTHORIZED', 'Send an API key as "Authorization: Bearer <key>" or "X-Api-Key: <key>".');
    }
    const hash = hashKey(presented);
    const now = this.clock.now();
    const cached = this.principals.get(hash);
    if (cached && cached.expiresAt > now) return cached.principal;
    const record = await this.storage.apiKeys.getByHash(hash);
    // The lookup is by hash; the constant-time compare guards against a lax driver collation anyway.
    if (!record || record.revokedAt !== null || !timingSafeEqual(Buffer.from(record.hash), Buffer.from(hash))) {
      throw new AppError('UNAUTHORIZED', 'The API key is unknown or revoked.');
    }
    const principal: Principal = record.tenantId === null
      ? { kind: 'admin', keyId: record.id }
      : { kind: 'tenant', keyId: record.id, tenantId: record.tenantId, scopes: record.scopes };
    if (this.principals.size >= PRINCIPAL_CACHE_MAX) this.principals.clear();
    this.principals.set(hash, { principal, expiresAt: now + PRINCIPAL_TTL_MS });
    return principal;
  }

  async revoke(keyId: string): Promise<void> {
    const revoked = await this.storage.apiKeys.revoke(keyId, this.clock.now());
    if (!revoked) throw new AppError('KEY_NOT_FOUND');
    for (const [hash, entry] of this.principals) if (entry.principal.keyId === keyId) this.principals.delete(hash);
  }

  /** Drops the cached principals of a tenant whose keys were deleted (tenant deletion). */
  forgetTenant(tenantId: string): void {
    for (const [hash, entry] of this.principals) if (entry.principal.kind === 'tenant' && entry.principal.tenantId === tenantId) this.principals.delete(hash);
  }

  get(keyId: string): Promise<ApiKeyRecord | undefined> {
    return this.storage.apiKeys.get(keyId);
  }

  list(tenantId: string | null): Promise<ApiKeyRecord[]> {
    return this.storage.apiKeys.listByTenant(tenantId);
  }
}
