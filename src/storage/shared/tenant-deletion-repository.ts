/**
 * The store side of deleting a tenant: the durable marker (set first, cleared with the tenant row),
 * and the final sweep of what is the tenant's but hangs off no session. Session rows are deleted one
 * by one by the deletion service (each cascades its auth state, messages, chats, contacts, queue,
 * bulk jobs, session webhooks and lease), so the sweep only meets what is left.
 */
import type { Tenant, TenantDeletion } from '../../domain/records.ts';
import type { TenantDeletionRepository } from '../ports.ts';
import type { Db } from './database.ts';
import { atomically } from './atomically.ts';
import { fromJson, toJson, toMillis } from './json.ts';

export class KyselyTenantDeletionRepository implements TenantDeletionRepository {
  constructor(private readonly db: Db) {}

  /**
   * Marks the tenant and ends its access in one transaction: its API keys and its users go at once
   * (nobody of the tenant starts new work during the deletion). False when unknown; an existing
   * marker is kept (the first request's options win).
   */
  async mark(tenantId: string, deletion: TenantDeletion): Promise<TenantDeletion | undefined> {
    return atomically(this.db, async (db) => {
      const row = await db.selectFrom('tenants').select('deletion').where('id', '=', tenantId).executeTakeFirst();
      if (!row) return undefined;
      if (row.deletion !== null) return fromJson<TenantDeletion>(row.deletion);
      await db.updateTable('tenants').set({ deletion: toJson(deletion) }).where('id', '=', tenantId).execute();
      await db.deleteFrom('api_keys').where('tenant_id', '=', tenantId).execute();
      await db.deleteFrom('users').where('tenant_id', '=', tenantId).execute();
      return deletion;
    });
  }

  async pending(): Promise<Array<{ tenant: Tenant; deletion: TenantDeletion }>> {
    const rows = await this.db.selectFrom('tenants').selectAll().where('deletion', 'is not', null).orderBy('id').execute();
    return rows.map((row) => {
      const deletion = fromJson<TenantDeletion>(row.deletion!);
      return { tenant: { id: row.id, name: row.name, maxSessions: Number(row.max_sessions), createdAt: toMillis(row.created_at), deletingAt: deletion.at }, deletion };
    });
  }

  async sessionIds(tenantId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('sessions').select('id').where('tenant_id', '=', tenantId).orderBy('id').execute();
    return rows.map((row) => row.id);
  }

  async runningBulkJobs(tenantId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('bulk_jobs').select('id').where('tenant_id', '=', tenantId).where('status', '=', 'running').orderBy('id').execute();
    return rows.map((row) => row.id);
  }

  /** Deletes one session's rows that carry no foreign key to it (idempotency keys). */
  async forgetSession(sessionId: string): Promise<void> {
    await this.db.deleteFrom('idempotency_keys').where('session_id', '=', sessionId).execute();
  }

  /**
   * Everything else of the tenant, then the tenant row (its pacing, alert rules, channels, alerts,
   * silences and tenant webhooks with their deliveries cascade). Audit rows stay: they are the
   * record that the tenant existed and was deleted. False when sessions are still left.
   */
  async purge(tenantId: string): Promise<boolean> {
    return atomically(this.db, async (db) => {
      const left = await db.selectFrom('sessions').select('id').where('tenant_id', '=', tenantId).limit(1).executeTakeFirst();
      if (left) return false;
      await db.deleteFrom('webhook_deliveries').where('tenant_id', '=', tenantId).execute();
      await db.deleteFrom('webhooks').where('tenant_id', '=', tenantId).execute();
      await db.deleteFrom('events').where('tenant_id', '=', tenantId).execute();
      await db.deleteFrom('message_stats').where('tenant_id', '=', tenantId).execute();
      await db.deleteFrom('api_keys').where('tenant_id', '=', tenantId).execute();
      await db.deleteFrom('users').where('tenant_id', '=', tenantId).execute();
      await db.deleteFrom('tenants').where('id', '=', tenantId).execute();
      return true;
    });
  }
}
