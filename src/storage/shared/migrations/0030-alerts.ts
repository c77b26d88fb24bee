/**
 * Built-in alerting: alerts, silences, channels, per-tenant rule overrides. Append-only.
 * `open_fingerprint` is the (tenant, rule) key while an alert fires and NULL once resolved: the
 * unique index makes "one firing alert per tenant and rule" hold across nodes (NULLs never clash).
 */
import type { Kysely, Migration } from 'kysely';

export function alertsSchema(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('alerts')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('tenant_id', 'text', (col) => col.references('tenants.id').onDelete('cascade'))
        .addColumn('rule', 'text', (col) => col.notNull())
        .addColumn('severity', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('open_fingerprint', 'text')
        .addColumn('summary', 'text', (col) => col.notNull())
        .addColumn('count', 'integer', (col) => col.notNull())
        // JSON array of ids.
        .addColumn('subjects', 'text', (col) => col.notNull())
        .addColumn('started_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .addColumn('resolved_at', 'bigint')
        .addColumn('acknowledged_at', 'bigint')
        .addColumn('acknowledged_by', 'text')
        .addColumn('notified_at', 'bigint')
        .execute();
      await db.schema.createIndex('alerts_open_uq').on('alerts').column('open_fingerprint').unique().execute();
      await db.schema.createIndex('alerts_tenant_idx').on('alerts').columns(['tenant_id', 'started_at']).execute();
      await db.schema.createIndex('alerts_status_idx').on('alerts').columns(['status', 'started_at']).execute();

      await db.schema
        .createTable('alert_silences')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('tenant_id', 'text', (col) => col.references('tenants.id').onDelete('cascade'))
        .addColumn('rule', 'text')
        .addColumn('ends_at', 'bigint', (col) => col.notNull())
        .addColumn('reason', 'text')
        .addColumn('created_by', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('alert_silences_ends_idx').on('alert_silences').column('ends_at').execute();

      await db.schema
        .createTable('alert_channels')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('tenant_id', 'text', (col) => col.references('tenants.id').onDelete('cascade'))
        .addColumn('type', 'text', (col) => col.notNull())
        .addColumn('url', 'text')
        // JSON array of addresses.
        .addColumn('recipients', 'text', (col) => col.notNull())
        .addColumn('min_severity', 'text', (col) => col.notNull())
        .addColumn('enabled', 'integer', (col) => col.notNull())
        .addColumn('last_sent_at', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute();

      await db.schema
        .createTable('tenant_alert_rules')
        .addColumn('tenant_id', 'text', (col) => col.primaryKey().references('tenants.id').onDelete('cascade'))
        // JSON object: rule → { enabled?, forMinutes?, failedAttempts?, minSuccessPercent? }.
        .addColumn('rules', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute();
    },
  };
}
