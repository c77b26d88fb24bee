/**
 * Logins: email + password → a short-lived access token (JWT) and a rotating refresh token. Refresh
 * tokens are random, stored as SHA-256 hashes, one family per login; presenting a token that was
 * already exchanged revokes the whole family (a stolen token dies with the login it came from).
 * Access tokens name their login, so logout, a disabled user or a detected reuse ends them too.
 */
import { createHash, randomBytes } from 'node:crypto';
import createCsrfTokens from '@fastify/csrf';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors/app-error.ts';
import type { Storage } from '../storage/ports.ts';
import type { RateLimiter } from '../outbound/rate-limit/rate-limiter.ts';
import { normalizeEmail, scopesOf, type RefreshTokenRecord, type UserRecord } from '../domain/users.ts';
import type { Principal } from './principal.ts';
import type { AccessTokens } from './access-tokens.ts';
import { decoyHash, verifyPassword } from './password.ts';
import { userView, type UserView } from './user-service.ts';

/** How long a checked login (user enabled, not logged out) is trusted before the store is asked again. */
const CHECK_TTL_MS = 5_000;
const CHECK_CACHE_MAX = 10_000;

export interface LoginLimits {
  perAccount: RateLimiter;
  perAddress: RateLimiter;
}

export interface IssuedLogin {
  user: UserView;
  accessToken: string;
  /** Seconds the access token lives. */
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: number;
  /** The login (refresh family) id; CSRF tokens are bound to it. */
  sessionId: string;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export class LoginService {
  private readonly checked = new Map<string, { ok: boolean; until: number }>();
  /** Accounts and addresses whose failed attempts used up their bucket, until when. */
  private readonly lockedUntil = new Map<string, number>();
  private readonly csrf: createCsrfTokens.TokensUserinfo;
  private decoy: Promise<string> | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly newId: () => string,
    private readonly access: AccessTokens,
    private readonly refreshTtlMs: number,
    private readonly limits: LoginLimits | undefined,
    /** Binds CSRF tokens to a login; derived from the master key so every node checks them alike. */
    csrfKey: Buffer,
  ) {
    this.csrf = createCsrfTokens({ userInfo: true, hmacKey: csrfKey });
  }

  /**
   * Failed attempts count against the account and the address; once either has used up its
   * attempts, every login for it answers 429 until the bucket refills, even with the right password.
   * Unknown emails cost the same scrypt work as wrong passwords, and get the same answer.
   */
  async login(emailInput: string, password: string, address: string): Promise<IssuedLogin> {
    const email = normalizeEmail(emailInput);
    const keys = [`account:${sha256(email)}`, `address:${address}`] as const;
    this.refuseIfLocked(keys);
    const user = await this.storage.users.getByEmail(email);
    const valid = await verifyPassword(password, user?.passwordHash ?? (await (this.decoy ??= decoyHash())));
    if (!user || !valid) {
      await this.countFailure(keys);
      throw new AppError('INVALID_CREDENTIALS');
    }
    if (user.disabledAt !== null) throw new AppError('ACCOUNT_DISABLED');
    const now = this.clock.now();
    await this.storage.users.update(user.id, { lastLoginAt: now }, now);
    return this.issue({ ...user, lastLoginAt: now }, this.newId().toLowerCase());
  }

  /** Exchanges a refresh token for a new pair; a reused one revokes its family. */
  async refresh(presented: string | undefined): Promise<IssuedLogin> {
    if (!presented) throw new AppError('REFRESH_TOKEN_INVALID', 'No refresh token: log in first.');
    const now = this.clock.now();
    const token = await this.storage.refreshTokens.getByHash(sha256(presented));
    if (!token || token.revokedAt !== null || token.expiresAt <= now) throw new AppError('REFRESH_TOKEN_INVALID');
    const user = await this.storage.users.get(token.userId);
    if (!user || user.disabledAt !== null) {
      await this.endFamily(token.familyId);
      throw new AppError(user ? 'ACCOUNT_DISABLED' : 'REFRESH_TOKEN_INVALID');
    }
    // Retiring the old token and storing its successor commit together: a racing use of the same
    // token waits for this commit, finds it retired, and its family revocation then takes the
    // successor too. Apart, the successor could be stored after the revocation and survive it.
    const next = this.newRefreshToken(user.id, token.familyId, now);
    const rotated = token.rotatedAt === null && (await this.storage.transaction(async (repos) => {
      if (!(await repos.refreshTokens.markRotated(token.id, now))) return false;
      await repos.refreshTokens.create(next.record);
      return true;
    }));
    if (!rotated) {
      await this.endFamily(token.familyId);
      throw new AppError('REFRESH_TOKEN_REUSED');
    }
    return this.issued(user, next, now);
  }

  /** The login a refresh token belongs to, without using it (CSRF checks of /v1/auth/refresh). */
  async familyOf(presented: string): Promise<string | undefined> {
    return (await this.storage.refreshTokens.getByHash(sha256(presented)))?.familyId;
  }

  async logout(sessionId: string): Promise<void> {
    await this.endFamily(sessionId);
  }

  /** A principal for a valid access token of a live login, or undefined. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const now = this.clock.now();
    const claims = await this.access.verify(token, now);
    if (!claims) return undefined;
    if (!(await this.loginLive(claims.userId, claims.sessionId, now))) return undefined;
    const user = { id: claims.userId, role: claims.role, sessionId: claims.sessionId };
    const keyId = `user:${claims.userId}`;
    if (claims.role === 'admin') return { kind: 'admin', keyId, user };
    if (claims.tenantId === null) return undefined;
    return { kind: 'tenant', keyId, tenantId: claims.tenantId, scopes: scopesOf(claims.role), user };
  }

  /** The login is not logged out and its user not disabled (cached for CHECK_TTL_MS). */
  isLive(userId: string, familyId: string): Promise<boolean> {
    return this.loginLive(userId, familyId, this.clock.now());
  }

  /** Forgets cached checks of a user (after disable, password reset, delete) on this node at once. */
  forgetUser(userId: string): void {
    for (const key of this.checked.keys()) if (key.startsWith(`${userId} `)) this.checked.delete(key);
  }

  newCsrfSecret(): string {
    return this.csrf.secretSync();
  }

  csrfToken(secret: string, sessionId: string): string {
    return this.csrf.create(secret, sessionId);
  }

  csrfValid(secret: string | undefined, token: string | undefined, sessionId: string): boolean {
    return Boolean(secret && token) && this.csrf.verify(secret!, token!, sessionId);
  }

  private async issue(user: UserRecord, familyId: string): Promise<IssuedLogin> {
    const now = this.clock.now();
    const next = this.newRefreshToken(user.id, familyId, now);
    await this.storage.refreshTokens.create(next.record);
    return this.issued(user, next, now);
  }

  private newRefreshToken(userId: string, familyId: string, now: number): { secret: string; record: RefreshTokenRecord } {
    const secret = `wfr_${randomBytes(32).toString('base64url')}`;
    return { secret, record: { id: this.newId().toLowerCase(), userId, familyId, hash: sha256(secret), createdAt: now, expiresAt: now + this.refreshTtlMs, rotatedAt: null, revokedAt: null } };
  }

  private async issued(user: UserRecord, next: { secret: string; record: RefreshTokenRecord }, now: number): Promise<IssuedLogin> {
    const { familyId, expiresAt } = next.record;
    const accessToken = await this.access.sign({ userId: user.id, sessionId: familyId, role: user.role, tenantId: user.tenantId }, now);
    return { user: userView(user), accessToken, expiresIn: this.access.ttlSeconds, refreshToken: next.secret, refreshExpiresAt: expiresAt, sessionId: familyId };
  }

  private async endFamily(familyId: string): Promise<void> {
    await this.storage.refreshTokens.revokeFamily(familyId, this.clock.now());
    for (const key of this.checked.keys()) if (key.endsWith(` ${familyId}`)) this.checked.delete(key);
  }

  private async loginLive(userId: string, familyId: string, now: number): Promise<boolean> {
    const key = `${userId} ${familyId}`;
    const cached = this.checked.get(key);
    if (cached && cached.until > now) return cached.ok;
    const [user, active] = await Promise.all([this.storage.users.get(userId), this.storage.refreshTokens.familyActive(familyId, now)]);
    const ok = Boolean(user && user.disabledAt === null && active);
    if (this.checked.size >= CHECK_CACHE_MAX) this.checked.clear();
    this.checked.set(key, { ok, until: now + CHECK_TTL_MS });
    return ok;
  }

  private refuseIfLocked(keys: readonly string[]): void {
    const now = this.clock.now();
    for (const key of keys) {
      const until = this.lockedUntil.get(key);
      if (until === undefined) continue;
      if (until <= now) this.lockedUntil.delete(key);
      else this.tooMany(Math.ceil((until - now) / 1000));
    }
  }

  /** Takes a token per failure; an empty bucket locks the account or address until it refills. */
  private async countFailure(keys: readonly [string, string]): Promise<void> {
    if (!this.limits) return;
    const decisions = await Promise.all([this.limits.perAccount.take(keys[0]), this.limits.perAddress.take(keys[1])]).catch(() => undefined); // a limiter outage must not lock everyone out
    if (!decisions) return;
    let retryAfter = 0;
    decisions.forEach((decision, index) => {
      if (decision.allowed) return;
      if (this.lockedUntil.size >= CHECK_CACHE_MAX) this.lockedUntil.clear();
      this.lockedUntil.set(keys[index]!, this.clock.now() + decision.retryAfterSeconds * 1000);
      retryAfter = Math.max(retryAfter, decision.retryAfterSeconds);
    });
    if (retryAfter > 0) this.tooMany(retryAfter);
  }

  private tooMany(retryAfterSeconds: number): never {
    throw new AppError('LOGIN_RATE_LIMITED', `Too many failed logins for this account or from this address: try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
  }
}
