/**
 * Session use cases as the API offers them: tenant walls, scopes, quotas and validation here;
 * connection lifecycle in SessionManager.
 */
import type { Principal } from '../auth/principal.ts';
import { hasScope, tenantOf } from '../auth/principal.ts';
import type { KeyScope, SessionConfig, SessionRecord } from '../domain/records.ts';
import type { SessionStatus } from '../domain/session.ts';
import { isSlug, SLUG_RULE } from '../domain/ids.ts';
import { normalizePhone } from '../domain/phone.ts';
import { AppError } from '../errors/app-error.ts';
import type { EngineRegistry } from '../engines/registry.ts';
import type { Storage, Page } from '../storage/ports.ts';
import { StorageConflictError } from '../storage/ports.ts';
import type { Clock } from '../clock.ts';
import type { SessionManager } from './session-manager.ts';
import type { SessionPlacement } from './ownership.ts';
import type { PlacementConstraints } from '../domain/cluster.ts';
import { isActive } from '../domain/session.ts';
import { describeHealth, type SessionHealth } from './session-health.ts';

export interface CreateSessionInput {
  id?: string;
  tenant?: string;
  engine?: string;
  config?: SessionConfig;
  placement?: PlacementConstraints | null;
  start?: boolean;
}

export interface SessionView extends SessionRecord {
  qrAvailable: boolean;
}

export interface SessionServiceDeps {
  storage: Storage;
  manager: SessionManager;
  engines: EngineRegistry;
  clock: Clock;
  newId: () => string;
  defaultEngine: string;
  /** Engines a client may pick; `fake` only when enabled by config. */
  selectableEngines: readonly string[];
  healthStaleMs: number;
  engineAllowlist: readonly string[];
  placement: SessionPlacement;
  nodeId: string;
}

export class SessionService {
  constructor(private readonly deps: SessionServiceDeps) {}

  async create(principal: Principal, input: CreateSessionInput): Promise<SessionView> {
    requireScope(principal, 'manage');
    const tenantId = this.tenantForCreate(principal, input.tenant);
    const tenant = await this.deps.storage.tenants.get(tenantId);
    if (!tenant) throw new AppError('TENANT_NOT_FOUND', `Tenant "${tenantId}" not found.`);
    if (tenant.deletingAt !== undefined) throw new AppError('TENANT_DELETING', `Tenant "${tenantId}" is being deleted: it takes no new sessions.`);
    const engine = input.engine ?? this.deps.defaultEngine;
    if (!this.deps.selectableEngines.includes(engine) || !this.deps.engines.has(engine)) {
      throw new AppError('ENGINE_NOT_FOUND', `Unknown engine "${engine}". Available: ${this.deps.selectableEngines.join(', ')}.`);
    }
    const id = input.id ?? `s-${this.deps.newId().toLowerCase()}`;
    if (!isSlug(id)) throw new AppError('INVALID_ID', `Session id "${id}" is not valid: use ${SLUG_RULE}.`);
    const now = this.deps.clock.now();
    const record: SessionRecord = {
      id,
      tenantId,
      engine,
      status: 'STOPPED',
      statusReason: null,
      desiredState: 'stopped',
      config: input.config ?? {},
      me: null,
      placement: input.placement ?? null,
      createdAt: now,
      updatedAt: now,
    };
    await this.insertWithinQuota(record, tenant.maxSessions);
    if (input.start) await this.startPlaced(record);
    return this.get(principal, id);
  }

  async list(principal: Principal, query: { status?: SessionStatus; limit: number; offset: number }): Promise<Page<SessionView>> {
    requireScope(principal, 'read');
    const tenantId = tenantOf(principal);
    const page = await this.deps.storage.sessions.list({ ...query, ...(tenantId ? { tenantId } : {}) });
    return { total: page.total, items: page.items.map((record) => this.view(record)) };
  }

  async get(principal: Principal, id: string): Promise<SessionView> {
    return this.view(await this.load(principal, id, 'read'));
  }

  async update(principal: Principal, id: string, patch: { config?: SessionConfig; placement?: PlacementConstraints | null }): Promise<SessionView> {
    await this.load(principal, id, 'manage');
    const changes = { ...(patch.config ? { config: patch.config } : {}), ...(patch.placement !== undefined ? { placement: patch.placement } : {}) };
    const updated = await this.deps.storage.sessions.update(id, changes, this.deps.clock.now());
    if (!updated) throw new AppError('SESSION_NOT_FOUND');
    return this.view(updated);
  }

  async delete(principal: Principal, id: string): Promise<void> {
    await this.load(principal, id, 'manage');
    await this.deps.manager.remove(id, async () => {
      await this.deps.storage.sessions.delete(id);
    });
  }

  async start(principal: Principal, id: string): Promise<SessionView> {
    await this.startPlaced(await this.load(principal, id, 'manage'));
    return this.get(principal, id);
  }

  async stop(principal: Principal, id: string): Promise<SessionView> {
    await this.load(principal, id, 'manage');
    await this.deps.manager.stop(id);
    return this.get(principal, id);
  }

  async restart(principal: Principal, id: string): Promise<SessionView> {
    await this.load(principal, id, 'manage');
    await this.deps.manager.restart(id);
    return this.get(principal, id);
  }

  async logout(principal: Principal, id: string): Promise<SessionView> {
    await this.load(principal, id, 'manage');
    await this.deps.manager.logout(id);
    return this.get(principal, id);
  }

  async qr(principal: Principal, id: string): Promise<string> {
    const record = await this.load(principal, id, 'read');
    const qr = this.deps.manager.runtime(id)?.snapshot().qr;
    if (!qr) {
      throw new AppError('QR_NOT_AVAILABLE', `No QR code: session "${id}" is ${record.status}. Start it and wait for status SCAN_QR.`);
    }
    return qr;
  }

  async requestPairingCode(principal: Principal, id: string, phone: string): Promise<string> {
    await this.load(principal, id, 'manage');
    const digits = normalizePhone(phone);
    if (!digits) {
      throw new AppError('INVALID_PHONE_NUMBER', `"${phone}" is not a phone number: give the international number with country code, digits only (an optional leading + is fine).`);
    }
    return this.deps.manager.requestPairingCode(id, digits);
  }

  async health(principal: Principal, id: string): Promise<SessionHealth> {
    const record = await this.load(principal, id, 'read');
    return describeHealth(record, this.deps.manager.runtime(id)?.snapshot(), this.deps.clock.now(), this.deps.healthStaleMs);
  }

  /** Engine passthrough: allowed only for methods an admin put on the allowlist. */
  async callEngine(principal: Principal, id: string, method: string, args: unknown[]): Promise<unknown> {
    await this.load(principal, id, 'manage');
    if (!this.deps.engineAllowlist.includes(method)) {
      throw new AppError('ENGINE_METHOD_NOT_ALLOWED', `Engine method "${method}" is not allowed: an admin can add it to WAFLEET_ENGINE_ALLOWLIST.`);
    }
    const engineSession = this.deps.manager.runtime(id)?.current();
    if (!engineSession) throw new AppError('SESSION_NOT_RUNNING', `Session "${id}" is not running: start it first.`);
    return engineSession.call(method, args);
  }

  /** The tenant a session belongs to (audit rows of admin calls), or undefined when there is none. */
  async tenantOf(id: string): Promise<string | undefined> {
    return (await this.deps.storage.sessions.get(id))?.tenantId;
  }

  /** Loads a session the principal may see; another tenant's session is "not found", exactly like a missing one. */
  async load(principal: Principal, id: string, scope: KeyScope): Promise<SessionRecord> {
    requireScope(principal, scope);
    const record = isSlug(id) ? await this.deps.storage.sessions.get(id) : undefined;
    const tenantId = tenantOf(principal);
    if (!record || (tenantId && record.tenantId !== tenantId)) {
      throw new AppError('SESSION_NOT_FOUND', `Session "${id}" not found.`);
    }
    return record;
  }

  private view(record: SessionRecord): SessionView {
    const runtime = this.deps.manager.runtime(record.id);
    // A session running on another node shows a QR there while it waits for a scan.
    const qrAvailable = runtime ? Boolean(runtime.snapshot().qr) : record.status === 'SCAN_QR';
    return { ...record, placement: record.placement ?? null, qrAvailable };
  }

  /**
   * Starts a session no node runs yet where the placement policy puts it: here, or on the node it was
   * assigned to (which starts it itself). Running here already: idempotent. (A session another node
   * runs never gets here: the call was forwarded to that node.)
   */
  private async startPlaced(record: SessionRecord): Promise<void> {
    const runtime = this.deps.manager.runtime(record.id);
    if (runtime && isActive(runtime.snapshot().status)) return this.deps.manager.start(record.id);
    await this.deps.storage.sessions.update(record.id, { desiredState: 'running' }, this.deps.clock.now());
    const { node } = await this.deps.placement.placeForStart(record);
    if (node !== this.deps.nodeId) return;
    try {
      await this.deps.manager.start(record.id);
    } catch (error) {
      // Marked to run, another node's adoption round can assign it between our placement and our
      // lease: that node runs it, which is what the caller asked for — not a conflict to report.
      if (!(error instanceof AppError && error.code === 'SESSION_ON_OTHER_NODE')) throw error;
    }
  }

  private tenantForCreate(principal: Principal, requested: string | undefined): string {
    if (principal.kind === 'tenant') {
      if (requested && requested !== principal.tenantId) throw new AppError('TENANT_NOT_FOUND', `Tenant "${requested}" not found.`);
      return principal.tenantId;
    }
    if (!requested) throw new AppError('VALIDATION_FAILED', 'An admin key must name the tenant: add "tenant" to the body.');
    return requested;
  }

  /** Quota check and insert in one transaction, so two concurrent creates cannot both squeeze in. */
  private async insertWithinQuota(record: SessionRecord, maxSessions: number): Promise<void> {
    try {
      await this.deps.storage.transaction(async (repos) => {
        const count = await repos.sessions.countByTenant(record.tenantId);
        if (count >= maxSessions) {
          throw new AppError('SESSION_QUOTA_EXCEEDED', `Tenant "${record.tenantId}" already has ${count} of its ${maxSessions} sessions.`);
        }
        await repos.sessions.create(record);
      });
    } catch (error) {
      if (error instanceof StorageConflictError) throw new AppError('SESSION_EXISTS', `Session "${record.id}" already exists.`);
      throw error;
    }
  }
}

export function requireScope(principal: Principal, scope: KeyScope): void {
  if (!hasScope(principal, scope)) throw new AppError('FORBIDDEN', `This key lacks the "${scope}" scope.`);
}
