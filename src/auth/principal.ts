import type { KeyScope } from '../domain/records.ts';
import type { UserRole } from '../domain/users.ts';

/** A person logged in (dashboard or Bearer JWT) rather than an API key. */
export interface UserActor {
  id: string;
  role: UserRole;
  /** The login's refresh-token family: logout ends it. */
  sessionId: string;
}

/**
 * Who is calling: an admin (key or user) sees everything; a tenant key or user sees only its tenant,
 * within its scopes. `keyId` names the credential for rate limits: an API key's id, or `user:<id>`.
 */
export type Principal =
  | { kind: 'admin'; keyId: string; user?: UserActor }
  | { kind: 'tenant'; keyId: string; tenantId: string; scopes: readonly KeyScope[]; user?: UserActor };

export function hasScope(principal: Principal, scope: KeyScope): boolean {
  return principal.kind === 'admin' || principal.scopes.includes(scope);
}

/** The tenant a principal is confined to, or undefined for admins. */
export function tenantOf(principal: Principal): string | undefined {
  return principal.kind === 'tenant' ? principal.tenantId : undefined;
}

/** An admin, or the owner of this tenant: may manage the tenant's users and keys. */
export function canManageTenant(principal: Principal, tenantId: string): boolean {
  return principal.kind === 'admin' || (principal.tenantId === tenantId && principal.user?.role === 'owner');
}

export function actorOf(principal: Principal): { type: 'key' | 'user'; id: string } {
  return principal.user ? { type: 'user', id: principal.user.id } : { type: 'key', id: principal.keyId };
}
