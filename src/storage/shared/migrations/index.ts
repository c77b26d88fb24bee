/**
 * Every migration in order. Names sort lexically (Kysely runs them in name order), so keep the
 * NNNN- prefix. Append new entries; never rename, reorder or remove one.
 */
import type { Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../database.ts';
import { initialSchema } from './0001-initial.ts';
import { messagesSchema } from './0002-messages.ts';
import { webhooksSchema } from './0003-webhooks.ts';
import { outboundSchema } from './0004-outbound.ts';
import { tenantPacingSchema } from './0005-tenant-pacing.ts';
import { webhookDeliveryOrderSchema } from './0006-webhook-delivery-order.ts';
import { webhookDeliveryHeadsSchema } from './0007-webhook-delivery-heads.ts';
import { outboundQueueHeldSchema } from './0008-outbound-queue-held.ts';
import { clusterSchema } from './0010-cluster.ts';
import { alertsSchema } from './0030-alerts.ts';
import { usersSchema } from './0040-users.ts';
import { auditLogSchema } from './0041-audit-log.ts';
import { messageStatsSchema } from './0042-message-stats.ts';
import { oneChatPerPersonSchema } from './0050-one-chat-per-person.ts';
import { tenantDeletionSchema } from './0060-tenant-deletion.ts';

export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-initial': initialSchema(dialect),
    '0002-messages': messagesSchema(),
    '0003-webhooks': webhooksSchema(dialect),
    '0004-outbound': outboundSchema(dialect),
    '0005-tenant-pacing': tenantPacingSchema(),
    '0006-webhook-delivery-order': webhookDeliveryOrderSchema(),
    '0007-webhook-delivery-heads': webhookDeliveryHeadsSchema(),
    '0008-outbound-queue-held': outboundQueueHeldSchema(),
    '0010-cluster': clusterSchema(),
    '0030-alerts': alertsSchema(),
    '0040-users': usersSchema(dialect),
    '0041-audit-log': auditLogSchema(dialect),
    '0042-message-stats': messageStatsSchema(),
    '0050-one-chat-per-person': oneChatPerPersonSchema(),
    '0060-tenant-deletion': tenantDeletionSchema(),
  };
}

/** In-code provider: no directory scanning, so it works the same under tsx and a bundler. */
export class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}

  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(migrationsFor(this.dialect));
  }
}
