/** Users of the API and the dashboard: platform admins, and per tenant owners, operators and viewers. */
import type { KeyScope } from './records.ts';

export const USER_ROLES = ['admin', 'owner', 'operator', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];
export const TENANT_ROLES = ['owner', 'operator', 'viewer'] as const satisfies readonly UserRole[];

export function isUserRole(value: string): value is UserRole {
  return (USER_ROLES as readonly string[]).includes(value);
}

/**
 * What a tenant role may do, in the API keys' vocabulary: the same scope checks guard both.
 * Operators run sessions, sends and webhooks (`manage`); owners also manage the tenant's users and keys.
 */
export function scopesOf(role: Exclude<UserRole, 'admin'>): KeyScope[] {
  return role === 'viewer' ? ['read'] : ['read', 'send', 'manage'];
}

export interface UserRecord {
  id: string;
  /** null for a platform admin. */
  tenantId: string | null;
  /** Stored lower-cased: one account per address. */
  email: string;
  name: string | null;
  role: UserRole;
  /** scrypt$N$r$p$salt$hash; never leaves the store. */
  passwordHash: string;
  disabledAt: number | null;
  createdAt: number;
  updatedAt: number;
  lastLoginAt: number | null;
}

/** One refresh token: rotating, stored as a SHA-256 hash, grouped in a family per login. */
export interface RefreshTokenRecord {
  id: string;
  userId: string;
  /** Every token of one login shares the family; reuse of a rotated token revokes the whole family. */
  familyId: string;
  hash: string;
  createdAt: number;
  expiresAt: number;
  /** Set when this token was exchanged for the next one. */
  rotatedAt: number | null;
  revokedAt: number | null;
}

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

/** Why a password is refused, or undefined when it is acceptable. Messages say what to do. */
export function passwordProblem(password: string, email: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `The password must have at most ${MAX_PASSWORD_LENGTH} characters.`;
  if (new Set(password).size < 5) return 'The password repeats too few characters: use at least 5 different ones.';
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 4 && password.toLowerCase().includes(local)) return 'The password must not contain the email address.';
  if (/^(.{1,3})\1+$/.test(password)) return 'The password is a short pattern repeated: choose a longer phrase.';
  return undefined;
}

export const EMAIL_PATTERN = '^[^\\s@]{1,64}@[^\\s@]{1,190}\\.[^\\s@]{1,63}$';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
