import type { SessionConfig, SessionMe, SessionRecord } from '../../domain/records.ts';
import type { DesiredState, SessionStatus } from '../../domain/session.ts';
import { FencedWriteError, type Page, type SessionListQuery, type SessionRepository } from '../ports.ts';
import type { Fence, PlacementConstraints } from '../../domain/cluster.ts';
import { leaseHeldBy } from './fencing.ts';
import type { Db, Dialect, SessionsTable } from './database.ts';
import { insertOrConflict } from './errors.ts';
import { ReusableQuery } from './reusable-query.ts';
import { fromJson, toJson, toMillis } from './json.ts';
import { storableText } from './text.ts';

type SessionPatch = Parameters<SessionRepository['update']>[1];

const sessionById = new ReusableQuery(['id'], (db: Db, p: { id: string }) => db.selectFrom('sessions').selectAll().where('id', '=', p.id));

function toSession(row: SessionsTable): SessionRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    engine: row.engine,
    status: row.status as SessionStatus,
    statusReason: row.status_reason,
    desiredState: row.desired_state as DesiredState,
    config: fromJson<SessionConfig>(row.config),
    me: row.me === null ? null : fromJson<SessionMe>(row.me),
    placement: row.placement === null || row.placement === undefined ? null : fromJson<PlacementConstraints>(row.placement),
    createdAt: toMillis(row.created_at),
    updatedAt: toMillis(row.updated_at),
  };
}

function toRowPatch(patch: SessionPatch): Partial<SessionsTable> {
  const values: Partial<SessionsTable> = {};
  if (patch.status !== undefined) values.status = patch.status;
  if (patch.statusReason !== undefined) values.status_reason = storableText(patch.statusReason);
  if (patch.desiredState !== undefined) values.desired_state = patch.desiredState;
  if (patch.config !== undefined) values.config = toJson(patch.config);
  if (patch.me !== undefined) values.me = patch.me === null ? null : toJson(patch.me);
  if (patch.engine !== undefined) values.engine = patch.engine;
  if (patch.placement !== undefined) values.placement = patch.placement === null ? null : toJson(patch.placement);
  return values;
}

export class KyselySessionRepository implements SessionRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  async create(session: SessionRecord): Promise<void> {
    await insertOrConflict(`session "${session.id}"`, () =>
      this.db
        .insertInto('sessions')
        .values({
          id: session.id,
          tenant_id: session.tenantId,
          engine: session.engine,
          status: session.status,
          status_reason: storableText(session.statusReason),
          desired_state: session.desiredState,
          config: toJson(session.config),
          me: session.me === null ? null : toJson(session.me),
          placement: session.placement ? toJson(session.placement) : null,
          created_at: session.createdAt,
          updated_at: session.updatedAt,
        })
        .execute(),
    );
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const row = await sessionById.executeTakeFirst(this.db, { id });
    return row && toSession(row);
  }

  async list(query: SessionListQuery): Promise<Page<SessionRecord>> {
    let base = this.db.selectFrom('sessions');
    if (query.tenantId !== undefined) base = base.where('tenant_id', '=', query.tenantId);
    if (query.status !== undefined) base = base.where('status', '=', query.status);
    const [rows, counted] = await Promise.all([
      // (created_at, id) makes the order total, so pages neither repeat nor skip rows.
      base.selectAll().orderBy('created_at').orderBy('id').limit(query.limit).offset(query.offset).execute(),
      base.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toSession), total: Number(counted.total) };
  }

  async countByTenant(tenantId: string): Promise<number> {
    if (this.dialect === 'postgres' && this.db.isTransaction) {
      // Quota checks run "count, then insert" in one transaction. Under READ COMMITTED two such
      // transactions could both pass; locking the tenant row serializes them. (SQLite needs no
      // lock: its single connection already runs one transaction at a time.)
      await this.db.selectFrom('tenants').select('id').where('id', '=', tenantId).forUpdate().execute();
    }
    const row = await this.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number | string>().as('total'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    return Number(row.total);
  }

  async listDesiredRunning(): Promise<SessionRecord[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('desired_state', '=', 'running')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toSession);
  }

  async update(id: string, patch: SessionPatch, updatedAt: number, fence?: Fence): Promise<SessionRecord | undefined> {
    let update = this.db.updateTable('sessions').set({ ...toRowPatch(patch), updated_at: updatedAt }).where('id', '=', id);
    if (fence) update = update.where(leaseHeldBy(this.dialect, id, fence));
    const row = await update.returningAll().executeTakeFirst();
    if (!row && fence && (await this.get(id))) throw new FencedWriteError(id, fence);
    return row && toSession(row);
  }

  /** Its auth_state rows go with it (ON DELETE CASCADE); its events stay, they are history. */
  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('sessions').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async countByStatus(): Promise<Array<{ status: SessionStatus; engine: string; count: number }>> {
    const rows = await this.db
      .selectFrom('sessions')
      .select(['status', 'engine', (eb) => eb.fn.countAll<number | string>().as('count')])
      .groupBy(['status', 'engine'])
      .orderBy('status')
      .orderBy('engine')
      .execute();
    return rows.map((row) => ({ status: row.status as SessionStatus, engine: row.engine, count: Number(row.count) }));
  }
}
