/**
 * DELETE /v1/tenants/{id}: stops (and by default logs out) every session of the tenant and removes
 * all its data. The request is stored on the tenant first, together with the end of its access
 * (keys, users) and an audit row; sessions then go one by one; the last transaction removes the rest
 * and the tenant and writes the closing audit row. A process that dies half way finds the stored
 * request at start-up and finishes it (resumePending), so no tenant is left half deleted.
 */
import type { Clock } from '../clock.ts';
import type { TenantDeletion } from '../domain/records.ts';
import type { AuditRecord } from '../domain/audit.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../logging/logger.ts';
import type { SessionManager } from '../sessions/session-manager.ts';
import type { Storage } from '../storage/ports.ts';

/**
 * Passes a session's logout or stop to the node that runs it; false when it runs here (or nowhere),
 * so the local manager acts. Only a caller with credentials (an HTTP request) can pass calls on.
 */
export type PassOn = (sessionId: string, action: 'logout' | 'stop') => Promise<boolean>;

export interface TenantDeletionRequest {
  logout: boolean;
  force: boolean;
  actor: Pick<TenantDeletion, 'actorType' | 'actorId' | 'requestId' | 'sourceIp'>;
  passOn?: PassOn;
}

export interface TenantDeletionDeps {
  storage: Storage;
  manager: Pick<SessionManager, 'logout' | 'remove'>;
  clock: Clock;
  newId: () => string;
  logger: Logger;
  /** The tenant's keys were deleted: forget them in this process's key cache. */
  accessEnded: (tenantId: string) => void;
}

export class TenantDeletionService {
  /** Deletions under way in this process: a second request for the same tenant joins the first. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly deps: TenantDeletionDeps) {}

  async delete(tenantId: string, request: TenantDeletionRequest): Promise<void> {
    const { storage, clock } = this.deps;
    const tenant = await storage.tenants.get(tenantId);
    if (!tenant) throw new AppError('TENANT_NOT_FOUND', `Tenant "${tenantId}" not found.`);
    if (tenant.deletingAt === undefined && !request.force) {
      const jobs = await storage.tenantDeletions.runningBulkJobs(tenantId);
      if (jobs.length > 0) {
        throw new AppError('TENANT_HAS_RUNNING_JOBS', `Tenant "${tenantId}" has ${jobs.length} running bulk job(s) (${jobs.slice(0, 5).join(', ')}): pause or cancel them, or delete with ?force=true (their queued messages are dropped).`, { jobs });
      }
    }
    const wanted: TenantDeletion = { at: clock.now(), logout: request.logout, ...request.actor };
    const deletion = await storage.transaction(async (repos) => {
      const stored = await repos.tenantDeletions.mark(tenantId, wanted);
      if (stored === wanted) await repos.audit.append([this.auditRow(tenantId, wanted, 'started', 202)]);
      return stored;
    });
    if (!deletion) throw new AppError('TENANT_NOT_FOUND', `Tenant "${tenantId}" not found.`);
    this.deps.accessEnded(tenantId);
    await this.run(tenantId, deletion, request.passOn);
  }

  /** Finishes the deletions a stopped process left (start-up); how many there were. */
  async resumePending(): Promise<number> {
    const pending = await this.deps.storage.tenantDeletions.pending();
    for (const { tenant, deletion } of pending) {
      this.deps.logger.info({ tenantId: tenant.id, logout: deletion.logout }, 'resuming the deletion of a tenant');
      await this.run(tenant.id, deletion).catch((error: unknown) => {
        this.deps.logger.error({ err: error, tenantId: tenant.id }, 'tenant deletion failed; it is retried at the next start');
      });
    }
    return pending.length;
  }

  private run(tenantId: string, deletion: TenantDeletion, passOn?: PassOn): Promise<void> {
    let work = this.running.get(tenantId);
    if (!work) {
      work = this.execute(tenantId, deletion, passOn).finally(() => this.running.delete(tenantId));
      this.running.set(tenantId, work);
    }
    return work;
  }

  private async execute(tenantId: string, deletion: TenantDeletion, passOn?: PassOn): Promise<void> {
    const { storage } = this.deps;
    let sessions = 0;
    // A session created by an admin while the first pass ran is caught by the next one.
    for (let pass = 0; pass < 3; pass++) {
      const ids = await storage.tenantDeletions.sessionIds(tenantId);
      for (const id of ids) await this.deleteSession(id, deletion.logout, passOn);
      sessions += ids.length;
      const gone = await storage.transaction(async (repos) => {
        if (!(await repos.tenantDeletions.purge(tenantId))) return false;
        await repos.audit.append([this.auditRow(tenantId, deletion, 'ok', 204)]);
        return true;
      });
      if (gone) {
        this.deps.logger.info({ tenantId, sessions, logout: deletion.logout }, 'tenant deleted');
        return;
      }
    }
    throw new Error(`tenant "${tenantId}" still has sessions after three passes`);
  }

  private async deleteSession(sessionId: string, logout: boolean, passOn?: PassOn): Promise<void> {
    const { manager, storage, logger } = this.deps;
    const passedOn = passOn ? await passOn(sessionId, logout ? 'logout' : 'stop').catch((error: unknown) => {
      logger.warn({ err: error, sessionId }, 'the node running the session did not take the call; acting here');
      return false;
    }) : false;
    if (logout && !passedOn) {
      await manager.logout(sessionId).catch((error: unknown) => {
        // The data goes anyway: a session that cannot log out (no longer linked, run elsewhere) is only dropped.
        logger.warn({ err: error, sessionId }, 'logout before the tenant deletion failed; dropping the session without it');
      });
    }
    // remove() stops what runs here and wipes the auth state; the row's delete cascades the rest.
    await manager.remove(sessionId, async () => {
      await storage.sessions.delete(sessionId);
      await storage.tenantDeletions.forgetSession(sessionId);
    });
  }

  private auditRow(tenantId: string, deletion: TenantDeletion, result: string, statusCode: number): AuditRecord {
    return {
      id: this.deps.newId(),
      at: this.deps.clock.now(),
      actorType: deletion.actorType,
      actorId: deletion.actorId,
      tenantId,
      action: 'tenant.delete',
      resource: `tenants/${tenantId}`,
      result,
      statusCode,
      requestId: deletion.requestId,
      sourceIp: deletion.sourceIp,
    };
  }
}
