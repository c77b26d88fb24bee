/**
 * Nodes, session leases and node stats (ports: cluster-ports.ts). Lease changes are single
 * conditional statements: 0 rows changed means the lease was not ours to take, hand over or release.
 */
import { sql, type RawBuilder } from 'kysely';
import type { LeaseView, NodeRecord, NodeStats, NodeView, PlacementConstraints, StoredNodeState } from '../../domain/cluster.ts';
import type { AcquireResult, ClusterRepository, Heartbeat, LeaseTiming, OrphanSession } from '../cluster-ports.ts';
import type { Fence } from '../../domain/cluster.ts';
import { atomically } from './atomically.ts';
import type { Db, Dialect, NodesTable, SessionLeasesTable } from './database.ts';
import { databaseNow } from './fencing.ts';
import { fromJson, toJson, toMillis } from './json.ts';

function nowOf(dialect: Dialect, at: number | undefined): RawBuilder<number> {
  return at === undefined ? databaseNow(dialect) : sql<number>`cast(${at} as bigint)`;
}

function toNode(row: NodesTable): NodeRecord {
  return {
    id: row.id,
    url: row.url,
    instance: row.instance,
    state: row.state as StoredNodeState,
    version: row.version,
    startedAt: toMillis(row.started_at),
    heartbeatAt: toMillis(row.heartbeat_at),
    capacity: row.capacity === null ? null : Number(row.capacity),
    weight: Number(row.weight),
    tags: fromJson<Record<string, string>>(row.tags),
    stats: fromJson<NodeStats>(row.stats),
  };
}

function toLease(row: SessionLeasesTable, now: number): LeaseView {
  const expiresAt = toMillis(row.expires_at);
  return { sessionId: row.session_id, nodeId: row.node_id, holder: row.holder, epoch: Number(row.epoch), expiresAt, live: row.node_id !== null && expiresAt > now };
}

export class KyselyClusterRepository implements ClusterRepository {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  async now(): Promise<number> {
    const { rows } = await sql<{ now: number | string }>`select ${databaseNow(this.dialect)} as now`.execute(this.db);
    return toMillis(rows[0]!.now);
  }

  async registerNode(node: NodeRecord): Promise<void> {
    const row: NodesTable = {
      id: node.id, url: node.url, instance: node.instance, state: node.state, version: node.version,
      started_at: node.startedAt, heartbeat_at: node.heartbeatAt, capacity: node.capacity, weight: node.weight,
      tags: toJson(node.tags), stats: toJson(node.stats),
    };
    const { id: _id, ...update } = row;
    await this.db.insertInto('nodes').values(row).onConflict((oc) => oc.column('id').doUpdateSet(update)).execute();
  }

  async getNode(id: string): Promise<NodeRecord | undefined> {
    const row = await this.db.selectFrom('nodes').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toNode(row);
  }

  async listNodes(timing: LeaseTiming): Promise<NodeView[]> {
    const now = nowOf(this.dialect, timing.at);
    const { rows } = await sql<NodesTable & { sessions: number | string | null; now: number | string }>`
      with clock as (select ${now} as now)
      select n.*, coalesce(c.sessions, 0) as sessions, (select now from clock) as now from nodes as n
      left join (
        select node_id, count(*) as sessions from session_leases
        where node_id is not null and expires_at > (select now from clock) group by node_id
      ) as c on c.node_id = n.id
      order by n.id`.execute(this.db);
    return rows.map((row) => {
      const node = toNode(row);
      const alive = node.state !== 'left' && node.state !== 'dead' && node.heartbeatAt > toMillis(row.now) - timing.ttlMs;
      const { instance: _instance, state, ...rest } = node;
      return { ...rest, state: alive ? (state === 'draining' ? 'draining' : 'active') : 'dead', sessions: Number(row.sessions ?? 0), left: state === 'left' };
    });
  }

  async setNodeState(id: string, state: StoredNodeState): Promise<boolean> {
    const result = await this.db.updateTable('nodes').set({ state }).where('id', '=', id).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async markDead(id: string, timing: LeaseTiming): Promise<boolean> {
    const { rows } = await sql<{ id: string }>`
      update nodes set state = 'dead'
      where id = ${id} and state not in ('left', 'dead') and heartbeat_at <= ${nowOf(this.dialect, timing.at)} - ${sql.lit(timing.ttlMs)}
      returning id`.execute(this.db);
    return rows.length > 0;
  }

  async setNodeUrl(id: string, url: string): Promise<void> {
    await this.db.updateTable('nodes').set({ url }).where('id', '=', id).execute();
  }

  async heartbeat(nodeId: string, instance: string, stats: NodeStats, timing: LeaseTiming): Promise<Heartbeat> {
    const now = nowOf(this.dialect, timing.at);
    const ttl = sql.lit(timing.ttlMs);
    const statsJson = toJson(stats);
    if (this.dialect === 'postgres') {
      // One round trip: the heartbeat and every renewal in one statement (data-modifying CTEs).
      const { rows } = await sql<{ kind: string; a: string; b: string | null; epoch: number | string | null; now: number | string }>`
        with clock as (select ${now} as now),
        beat as (
          update nodes set heartbeat_at = (select now from clock), stats = ${statsJson}
          where id = ${nodeId} and instance = ${instance} returning state, instance
        ),
        renewed as (
          update session_leases set expires_at = (select now from clock) + ${ttl}, updated_at = (select now from clock)
          where node_id = ${nodeId} and (holder = ${instance} or holder is null) and expires_at > (select now from clock)
            and exists (select 1 from beat)
          returning session_id, epoch, holder
        )
        select 'node' as kind, state as a, instance as b, cast(null as bigint) as epoch, (select now from clock) as now from beat
        union all
        select 'node', state, instance, null, (select now from clock) from nodes where id = ${nodeId} and not exists (select 1 from beat)
        union all
        select 'lease', session_id, holder, epoch, (select now from clock) from renewed`.execute(this.db);
      const node = rows.find((r) => r.kind === 'node');
      const clock = rows[0]?.now;
      return {
        node: node ? { state: node.a as StoredNodeState, instance: node.b ?? '' } : undefined,
        leases: rows.filter((r) => r.kind === 'lease').map((r) => ({ sessionId: r.a, holder: r.b, epoch: Number(r.epoch) })),
        now: clock === undefined ? await this.now() : toMillis(clock),
      };
    }
    return atomically(this.db, async (db) => {
      const clock = toMillis((await sql<{ now: number | string }>`select ${now} as now`.execute(db)).rows[0]!.now);
      const beat = await db.updateTable('nodes').set({ heartbeat_at: clock, stats: statsJson }).where('id', '=', nodeId).where('instance', '=', instance).returning(['state', 'instance']).executeTakeFirst();
      const node = beat ?? (await db.selectFrom('nodes').select(['state', 'instance']).where('id', '=', nodeId).executeTakeFirst());
      const leases = beat
        ? await db
            .updateTable('session_leases')
            .set({ expires_at: clock + timing.ttlMs, updated_at: clock })
            .where('node_id', '=', nodeId)
            .where((eb) => eb.or([eb('holder', '=', instance), eb('holder', 'is', null)]))
            .where('expires_at', '>', clock)
            .returning(['session_id', 'epoch', 'holder'])
            .execute()
        : [];
      return {
        node: node ? { state: node.state as StoredNodeState, instance: node.instance } : undefined,
        leases: leases.map((r) => ({ sessionId: r.session_id, holder: r.holder, epoch: Number(r.epoch) })),
        now: clock,
      };
    });
  }

  async acquire(sessionId: string, nodeId: string, holder: string, timing: LeaseTiming): Promise<AcquireResult> {
    const now = nowOf(this.dialect, timing.at);
    const { rows } = await sql<{ epoch: number | string }>`
      insert into session_leases (session_id, node_id, holder, epoch, expires_at, updated_at)
      select ${sessionId}, ${nodeId}, ${holder}, 1, clock.now + ${sql.lit(timing.ttlMs)}, clock.now from (select ${now} as now) as clock where true
      on conflict (session_id) do update set
        node_id = excluded.node_id, holder = excluded.holder, epoch = session_leases.epoch + 1,
        expires_at = excluded.expires_at, updated_at = excluded.updated_at
      where session_leases.node_id is null or session_leases.expires_at <= excluded.updated_at or session_leases.node_id = excluded.node_id
      returning epoch`.execute(this.db);
    const taken = rows[0];
    if (taken) return { acquired: true, fence: { holder, epoch: Number(taken.epoch) } };
    const lease = await this.get(sessionId, timing);
    if (!lease) throw new Error(`session "${sessionId}" has no lease row after a refused acquire`);
    return { acquired: false, lease };
  }

  async assign(sessionId: string, nodeId: string, timing: LeaseTiming): Promise<number | undefined> {
    const now = nowOf(this.dialect, timing.at);
    const { rows } = await sql<{ epoch: number | string }>`
      insert into session_leases (session_id, node_id, holder, epoch, expires_at, updated_at)
      select ${sessionId}, ${nodeId}, null, 1, clock.now + ${sql.lit(timing.ttlMs)}, clock.now from (select ${now} as now) as clock where true
      on conflict (session_id) do update set
        node_id = excluded.node_id, holder = null, epoch = session_leases.epoch + 1,
        expires_at = excluded.expires_at, updated_at = excluded.updated_at
      where session_leases.node_id is null or session_leases.expires_at <= excluded.updated_at
      returning epoch`.execute(this.db);
    return rows[0] ? Number(rows[0].epoch) : undefined;
  }

  async handOver(sessionId: string, fence: Fence, toNode: string, timing: LeaseTiming): Promise<number | undefined> {
    const now = nowOf(this.dialect, timing.at);
    const { rows } = await sql<{ epoch: number | string }>`
      update session_leases set node_id = ${toNode}, holder = null, epoch = epoch + 1,
        expires_at = ${now} + ${sql.lit(timing.ttlMs)}, updated_at = ${now}
      where session_id = ${sessionId} and holder = ${fence.holder} and epoch = ${fence.epoch}
      returning epoch`.execute(this.db);
    return rows[0] ? Number(rows[0].epoch) : undefined;
  }

  async release(sessionId: string, fence: Fence): Promise<boolean> {
    const result = await this.db
      .updateTable('session_leases')
      .set({ node_id: null, holder: null, expires_at: 0 })
      .where('session_id', '=', sessionId)
      .where('holder', '=', fence.holder)
      .where('epoch', '=', fence.epoch)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async unassign(sessionId: string, nodeId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('session_leases')
      .set({ node_id: null, holder: null, expires_at: 0 })
      .where('session_id', '=', sessionId)
      .where('node_id', '=', nodeId)
      .where('holder', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async releaseAll(nodeId: string, holder: string): Promise<number> {
    const result = await this.db
      .updateTable('session_leases')
      .set({ node_id: null, holder: null, expires_at: 0 })
      .where((eb) => eb.or([eb('holder', '=', holder), eb.and([eb('node_id', '=', nodeId), eb('holder', 'is', null)])]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async reclaimNodeLeases(nodeId: string, instance: string): Promise<number> {
    const result = await this.db
      .updateTable('session_leases')
      .set({ holder: null })
      .where('node_id', '=', nodeId)
      .where('holder', 'is not', null)
      .where('holder', '<>', instance)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async get(sessionId: string, timing: LeaseTiming): Promise<LeaseView | undefined> {
    const { rows } = await sql<SessionLeasesTable & { now: number | string }>`
      select l.*, ${nowOf(this.dialect, timing.at)} as now from session_leases as l where l.session_id = ${sessionId}`.execute(this.db);
    const row = rows[0];
    return row && toLease(row, toMillis(row.now));
  }

  async ownerOf(sessionId: string, timing: LeaseTiming): Promise<{ nodeId: string; url: string } | undefined> {
    const { rows } = await sql<{ node_id: string; url: string }>`
      select l.node_id, n.url from session_leases as l inner join nodes as n on n.id = l.node_id
      where l.session_id = ${sessionId} and l.expires_at > ${nowOf(this.dialect, timing.at)}`.execute(this.db);
    const row = rows[0];
    return row && { nodeId: row.node_id, url: row.url };
  }

  async holds(sessionId: string, fence: Fence): Promise<boolean> {
    const row = await this.db.selectFrom('session_leases').select('epoch').where('session_id', '=', sessionId).where('holder', '=', fence.holder).where('epoch', '=', fence.epoch).executeTakeFirst();
    return row !== undefined;
  }

  async unwanted(holder: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('session_leases as l')
      .innerJoin('sessions as s', 's.id', 'l.session_id')
      .select('l.session_id')
      .where('l.holder', '=', holder)
      .where('s.desired_state', '=', 'stopped')
      .execute();
    return rows.map((row) => row.session_id);
  }

  async orphans(limit: number, timing: LeaseTiming): Promise<OrphanSession[]> {
    const { rows } = await sql<{ id: string; tenant_id: string; placement: string | null }>`
      select s.id, s.tenant_id, s.placement from sessions as s
      left join session_leases as l on l.session_id = s.id
      where s.desired_state = 'running' and (l.session_id is null or l.node_id is null or l.expires_at <= ${nowOf(this.dialect, timing.at)})
      order by s.created_at, s.id
      limit ${sql.lit(limit)}`.execute(this.db);
    return rows.map((row) => ({ sessionId: row.id, tenantId: row.tenant_id, placement: row.placement === null ? null : fromJson<PlacementConstraints>(row.placement) }));
  }

  async appendStats(nodeId: string, at: number, stats: NodeStats & { sessions: number }): Promise<void> {
    await this.db.insertInto('node_stats').values({ node_id: nodeId, at, stats: toJson(stats) }).onConflict((oc) => oc.columns(['node_id', 'at']).doNothing()).execute();
  }

  async statsBetween(nodeId: string, from: number, to: number, limit: number): Promise<Array<NodeStats & { at: number; sessions: number }>> {
    const rows = await this.db.selectFrom('node_stats').selectAll().where('node_id', '=', nodeId).where('at', '>=', from).where('at', '<=', to).orderBy('at').limit(limit).execute();
    return rows.map((row) => ({ ...fromJson<NodeStats & { sessions: number }>(row.stats), at: toMillis(row.at) }));
  }

  async pruneStatsBefore(timestamp: number): Promise<number> {
    const result = await this.db.deleteFrom('node_stats').where('at', '<', timestamp).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async pruneNodesBefore(timestamp: number): Promise<number> {
    const result = await this.db.deleteFrom('nodes').where('heartbeat_at', '<', timestamp).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
