import type { Repositories } from '../ports.ts';
import { KyselyApiKeyRepository } from './api-key-repository.ts';
import { KyselyAuthStateRepository } from './auth-state-repository.ts';
import { KyselyChatRepository } from './chat-repository.ts';
import { KyselyContactRepository } from './contact-repository.ts';
import { KyselyAddressRepository } from './address-repository.ts';
import type { Db, Dialect } from './database.ts';
import { KyselyDeliveryRepository } from './delivery-repository.ts';
import { KyselyEventRepository } from './event-repository.ts';
import { KyselyMessageRepository } from './message-repository.ts';
import { KyselySessionRepository } from './session-repository.ts';
import { KyselyTenantRepository } from './tenant-repository.ts';
import { KyselyTenantDeletionRepository } from './tenant-deletion-repository.ts';
import { KyselyOutboundQueueRepository } from './outbound-queue-repository.ts';
import { KyselyIdempotencyRepository } from './idempotency-repository.ts';
import { KyselyBulkJobRepository } from './bulk-job-repository.ts';
import { KyselyTenantPacingRepository } from './tenant-pacing-repository.ts';
import { KyselyWebhookRepository } from './webhook-repository.ts';
import { KyselyAlertRepository } from './alert-repository.ts';
import { KyselyRefreshTokenRepository, KyselyUserRepository } from './user-repository.ts';
import { KyselyAnalyticsRepository, KyselyAuditRepository } from './audit-repository.ts';

/** Repositories over a root Kysely instance or over a transaction (then every call joins it). */
export function createRepositories(db: Db, dialect: Dialect): Repositories {
  return {
    tenants: new KyselyTenantRepository(db),
    tenantDeletions: new KyselyTenantDeletionRepository(db),
    apiKeys: new KyselyApiKeyRepository(db),
    sessions: new KyselySessionRepository(db, dialect),
    events: new KyselyEventRepository(db),
    authState: new KyselyAuthStateRepository(db, dialect),
    messages: new KyselyMessageRepository(db, dialect),
    chats: new KyselyChatRepository(db),
    contacts: new KyselyContactRepository(db),
    addresses: new KyselyAddressRepository(db),
    webhooks: new KyselyWebhookRepository(db),
    deliveries: new KyselyDeliveryRepository(db, dialect),
    outbound: new KyselyOutboundQueueRepository(db, dialect),
    idempotency: new KyselyIdempotencyRepository(db),
    bulkJobs: new KyselyBulkJobRepository(db),
    tenantPacing: new KyselyTenantPacingRepository(db),
    alerts: new KyselyAlertRepository(db),
    users: new KyselyUserRepository(db),
    refreshTokens: new KyselyRefreshTokenRepository(db),
    audit: new KyselyAuditRepository(db),
    analytics: new KyselyAnalyticsRepository(db),
  };
}
