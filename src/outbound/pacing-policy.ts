/**
 * The pacing in force for a session: configured defaults ← tenant defaults ← session override.
 * Read fresh on every use, so a change applies from the next message on.
 */
import type { Principal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import type { SessionRecord } from '../domain/records.ts';
import { AppError } from '../errors/app-error.ts';
import type { Storage } from '../storage/ports.ts';
import { applyPacing, resolvePacing, type PacingRules } from './pacing-rules.ts';

export class PacingPolicy {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    readonly defaults: PacingRules,
  ) {}

  async rulesFor(session: Pick<SessionRecord, 'tenantId' | 'config'>): Promise<PacingRules> {
    return resolvePacing(this.defaults, session.config, await this.storage.tenantPacing.get(session.tenantId));
  }

  /** A tenant's defaults as stored (`override`) and as they apply to its sessions (`effective`). */
  async tenantView(principal: Principal, tenantId: string): Promise<{ tenantId: string; override: Record<string, unknown>; effective: PacingRules }> {
    await this.tenantFor(principal, tenantId, 'read');
    const override = (await this.storage.tenantPacing.get(tenantId)) ?? {};
    return { tenantId, override, effective: applyPacing(this.defaults, override) };
  }

  /** Replaces the tenant's defaults (admin, or the tenant's own key with scope manage). */
  async setTenant(principal: Principal, tenantId: string, pacing: Record<string, unknown>): Promise<{ tenantId: string; override: Record<string, unknown>; effective: PacingRules }> {
    await this.tenantFor(principal, tenantId, 'manage');
    await this.storage.tenantPacing.set(tenantId, pacing, this.clock.now());
    return this.tenantView(principal, tenantId);
  }

  private async tenantFor(principal: Principal, tenantId: string, scope: 'read' | 'manage'): Promise<void> {
    const visible = principal.kind === 'admin' || principal.tenantId === tenantId;
    if (!visible || !(await this.storage.tenants.get(tenantId))) throw new AppError('TENANT_NOT_FOUND', `Tenant "${tenantId}" not found.`);
    if (principal.kind === 'tenant' && !principal.scopes.includes(scope)) throw new AppError('FORBIDDEN', `This needs the "${scope}" scope.`);
  }
}
