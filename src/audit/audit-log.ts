/**
 * The audit log's writer and reader. Rows are buffered and written in batches off the request path,
 * so recording a call costs the call nothing it waits for; close() writes what is left. A process
 * killed outright loses at most the last flush interval of rows (≈ 200 ms).
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../logging/logger.ts';
import type { AuditRecord } from '../domain/audit.ts';
import type { Storage } from '../storage/ports.ts';
import type { AuditQuery } from '../storage/account-ports.ts';
import { AppError } from '../errors/app-error.ts';
import { canManageTenant, type Principal } from '../auth/principal.ts';

const FLUSH_MS = 200;
const FLUSH_ROWS = 200;
/** Rows kept while the store refuses writes; past it the oldest are dropped (and that is logged). */
const MAX_BUFFERED = 20_000;

export type AuditEntry = Omit<AuditRecord, 'id' | 'at'> & { at?: number };

export interface AuditPage {
  items: AuditRecord[];
  /** Pass as `after` for the next (older) page; null at the end. */
  next: string | null;
}

export class AuditLog {
  private buffer: AuditRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private dropped = 0;

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly newId: () => string,
    private readonly logger: Logger,
  ) {}

  record(entry: AuditEntry): void {
    this.buffer.push({ ...entry, id: this.newId(), at: entry.at ?? this.clock.now() });
    if (this.buffer.length > MAX_BUFFERED) {
      this.dropped += this.buffer.length - MAX_BUFFERED;
      this.buffer.splice(0, this.buffer.length - MAX_BUFFERED);
    }
    if (this.buffer.length >= FLUSH_ROWS) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes everything recorded so far; resolves once it is stored (tests and close()). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing) await this.writing;
    const rows = this.buffer.splice(0);
    if (rows.length === 0) return;
    this.writing = this.storage.audit.append(rows).then(
      () => {
        if (this.dropped > 0) this.logger.error({ dropped: this.dropped }, 'audit rows were dropped while the store refused writes');
        this.dropped = 0;
      },
      (error: unknown) => {
        this.logger.warn({ err: error, rows: rows.length }, 'could not write audit rows; retrying');
        this.buffer = rows.concat(this.buffer);
        this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS * 5);
        this.timer.unref();
      },
    );
    try {
      await this.writing;
    } finally {
      this.writing = undefined;
    }
  }

  /** Admins read every tenant; a tenant owner reads only its own tenant's rows. */
  async list(principal: Principal, query: Omit<AuditQuery, 'before' | 'limit'> & { after?: string; limit: number }): Promise<AuditPage> {
    let tenantId = query.tenantId;
    if (principal.kind === 'tenant') {
      if (!canManageTenant(principal, principal.tenantId)) throw new AppError('FORBIDDEN', 'Only an admin or the tenant owner can read the audit log.');
      if (tenantId !== undefined && tenantId !== principal.tenantId) throw new AppError('TENANT_NOT_FOUND', `Tenant "${tenantId}" not found.`);
      tenantId = principal.tenantId;
    }
    await this.flush();
    const { after, ...rest } = query;
    const items = await this.storage.audit.list({ ...rest, ...(tenantId !== undefined ? { tenantId } : {}), ...(after !== undefined ? { before: after } : {}), limit: query.limit + 1 });
    const page = items.slice(0, query.limit);
    return { items: page, next: items.length > query.limit ? (page.at(-1)?.id ?? null) : null };
  }
}
