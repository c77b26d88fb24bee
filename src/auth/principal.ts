import type { KeyScope } from '../domain/records.ts';

/** Who is calling: an admin key sees everything; a tenant key sees only its tenant, within its scopes. */
export type Principal =
  | { kind: 'admin'; keyId: string }
  | { kind: 'tenant'; keyId: string; tenantId: string; scopes: readonly KeyScope[] };

export function hasScope(principal: Principal, scope: KeyScope): boolean {
  return principal.kind === 'admin' || principal.scopes.includes(scope);
}

/** The tenant a principal is confined to, or undefined for admins. */
export function tenantOf(principal: Principal): string | undefined {
  return principal.kind === 'tenant' ? principal.tenantId : undefined;
}
