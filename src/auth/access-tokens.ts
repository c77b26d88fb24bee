/**
 * Short-lived access tokens: JWTs (HS256, `jose`) signed with a key derived from the master key,
 * so every node of a cluster that shares the master key accepts them.
 */
import { hkdfSync } from 'node:crypto';
import { SignJWT, jwtVerify, errors } from 'jose';
import type { UserRole } from '../domain/users.ts';

const ISSUER = 'wafleet';
const AUDIENCE = 'wafleet-api';

export interface AccessClaims {
  userId: string;
  /** The login (refresh-token family) the token belongs to: logout and reuse detection end it. */
  sessionId: string;
  role: UserRole;
  tenantId: string | null;
}

export class AccessTokens {
  private readonly key: Uint8Array;

  constructor(masterKey: Buffer, private readonly ttlMs: number) {
    this.key = new Uint8Array(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'wafleet access tokens v1', 32));
  }

  get ttlSeconds(): number {
    return Math.floor(this.ttlMs / 1000);
  }

  sign(claims: AccessClaims, now: number): Promise<string> {
    const iat = Math.floor(now / 1000);
    return new SignJWT({ sid: claims.sessionId, role: claims.role, tenant: claims.tenantId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds)
      .sign(this.key);
  }

  /** The claims of a valid, unexpired token; undefined for anything else. */
  async verify(token: string, now: number): Promise<AccessClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], currentDate: new Date(now) });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.role !== 'string') return undefined;
      const tenant = payload.tenant;
      return { userId: payload.sub, sessionId: payload.sid, role: payload.role as UserRole, tenantId: typeof tenant === 'string' ? tenant : null };
    } catch (error) {
      if (error instanceof errors.JOSEError) return undefined;
      throw error;
    }
  }
}

/** A JWT has three base64url parts and a JSON header ("eyJ…"); API keys have neither. */
export function looksLikeJwt(value: string): boolean {
  return /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(value);
}
