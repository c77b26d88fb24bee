/**
 * Moving a linked phone between installations without a new QR: export a stopped session as a
 * passphrase-sealed bundle (config + auth state), import it elsewhere as a new session.
 * A login must never run in two places (ARCHITECTURE.md invariant 1), so only a stopped session
 * is exported; the operator keeps the source stopped (or deletes it) once the import works.
 */
import type { Principal } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import type { SessionRecord } from '../domain/records.ts';
import { isSlug, SLUG_RULE } from '../domain/ids.ts';
import { isActive } from '../domain/session.ts';
import type { EngineRegistry } from '../engines/registry.ts';
import { AppError } from '../errors/app-error.ts';
import type { AuthStateCipher } from '../security/cipher.ts';
import { BundleError, openSessionBundle, PASSPHRASE_MIN_LENGTH, sealSessionBundle, type SessionBundle } from '../security/session-bundle.ts';
import { StorageConflictError, type Storage } from '../storage/ports.ts';
import type { SessionManager } from './session-manager.ts';
import { requireScope, type SessionService, type SessionView } from './session-service.ts';

export interface ImportSessionInput {
  bundle: unknown;
  passphrase: string;
  id?: string;
  tenant?: string;
  start?: boolean;
}

export interface SessionTransferDeps {
  storage: Storage;
  sessions: SessionService;
  manager: SessionManager;
  engines: EngineRegistry;
  cipher: AuthStateCipher;
  clock: Clock;
}

function checkPassphrase(passphrase: string | undefined, field: string): string {
  if (!passphrase || passphrase.length < PASSPHRASE_MIN_LENGTH) {
    throw new AppError('VALIDATION_FAILED', `A passphrase of at least ${PASSPHRASE_MIN_LENGTH} characters is required: it seals the bundle, and the importing side needs it.`, { field });
  }
  return passphrase;
}

export class SessionTransfer {
  constructor(private readonly deps: SessionTransferDeps) {}

  async export(principal: Principal, id: string, passphrase: string | undefined): Promise<SessionBundle> {
    const record = await this.deps.sessions.load(principal, id, 'manage');
    const secret = checkPassphrase(passphrase, 'headers.x-wafleet-passphrase');
    const status = this.deps.manager.runtime(id)?.snapshot().status ?? record.status;
    if (isActive(status)) {
      throw new AppError('SESSION_STATE_CONFLICT', `Session "${id}" is ${status}: stop it first (POST /v1/sessions/${id}/stop). One login must never run in two places.`);
    }
    if (!record.me || status === 'LOGGED_OUT') {
      throw new AppError('SESSION_STATE_CONFLICT', `Session "${id}" is not linked to a phone (${status}): there is no login to export.`);
    }
    const rows = await this.deps.storage.authState.dump(id);
    const authState = rows.map((row) => ({
      category: row.category,
      keyId: row.keyId,
      value: this.deps.cipher.decrypt({ sessionId: id, category: row.category, keyId: row.keyId }, row.value).toString('base64'),
    }));
    const session = { id, engine: record.engine, config: record.config, me: record.me };
    return sealSessionBundle({ session, authState }, secret, this.deps.clock.now());
  }

  async import(principal: Principal, input: ImportSessionInput): Promise<SessionView> {
    requireScope(principal, 'manage');
    const tenantId = tenantForImport(principal, input.tenant);
    const secret = checkPassphrase(input.passphrase, 'body.passphrase');
    let opened: Awaited<ReturnType<typeof openSessionBundle>>;
    try {
      opened = await openSessionBundle(input.bundle, secret);
    } catch (error) {
      if (!(error instanceof BundleError)) throw error;
      if (error.kind === 'unreadable') throw new AppError('SESSION_BUNDLE_UNREADABLE', `The ${error.message}.`);
      throw new AppError('VALIDATION_FAILED', `This is not a session export: ${error.message}.`, { field: 'body.bundle' });
    }
    const { session, authState } = opened.content;
    if (!this.deps.engines.has(session.engine)) {
      throw new AppError('ENGINE_NOT_FOUND', `The bundle's session uses engine "${session.engine}", which this installation does not offer.`);
    }
    const id = input.id ?? session.id;
    if (!isSlug(id)) throw new AppError('INVALID_ID', `Session id "${id}" is not valid: use ${SLUG_RULE}.`);
    const now = this.deps.clock.now();
    const record: SessionRecord = {
      id,
      tenantId,
      engine: session.engine,
      status: 'STOPPED',
      statusReason: null,
      desiredState: 'stopped',
      config: session.config,
      me: session.me,
      createdAt: now,
      updatedAt: now,
    };
    // Sealed again under this installation's master key, bound to the new session id.
    const writes = authState.map((entry) => ({
      category: entry.category,
      keyId: entry.keyId,
      value: this.deps.cipher.encrypt({ sessionId: id, category: entry.category, keyId: entry.keyId }, Buffer.from(entry.value, 'base64')),
    }));
    try {
      await this.deps.storage.transaction(async (repos) => {
        const tenant = await repos.tenants.get(tenantId);
        if (!tenant) throw new AppError('TENANT_NOT_FOUND', `Tenant "${tenantId}" not found.`);
        const count = await repos.sessions.countByTenant(tenantId);
        if (count >= tenant.maxSessions) throw new AppError('SESSION_QUOTA_EXCEEDED', `Tenant "${tenantId}" already has ${count} of its ${tenant.maxSessions} sessions.`);
        await repos.sessions.create(record);
        await repos.authState.write(id, writes);
      });
    } catch (error) {
      if (error instanceof StorageConflictError) throw new AppError('SESSION_EXISTS', `Session "${id}" already exists: import under another id ("id" in the body).`);
      throw error;
    }
    if (input.start) await this.deps.manager.start(id);
    return this.deps.sessions.get(principal, id);
  }
}

function tenantForImport(principal: Principal, requested: string | undefined): string {
  if (principal.kind === 'tenant') {
    if (requested && requested !== principal.tenantId) throw new AppError('TENANT_NOT_FOUND', `Tenant "${requested}" not found.`);
    return principal.tenantId;
  }
  if (!requested) throw new AppError('VALIDATION_FAILED', 'An admin key must name the tenant: add "tenant" to the body.', { field: 'body.tenant' });
  return requested;
}
