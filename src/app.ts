/**
 * buildApp: the HTTP surface over already-built services. No listen() here, so tests use app.inject.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from './logging/logger.ts';
import { createIdFactory } from './id-factory.ts';
import type { ApiKeyService } from './auth/api-key-service.ts';
import type { TenantService } from './tenants/tenant-service.ts';
import type { SessionService } from './sessions/session-service.ts';
import type { Metrics } from './metrics/metrics.ts';
import { frameworkErrors, registerErrorHandling } from './http/plugins/errors.ts';
import { registerAuth } from './http/plugins/auth.ts';
import { registerRequestMetrics } from './http/plugins/request-metrics.ts';
import { registerSecurityHeaders, swaggerUiCsp } from './http/plugins/security-headers.ts';
import { registerCors } from './http/plugins/cors.ts';
import { ProbeQuietLogController } from './http/plugins/probe-logging.ts';
import { registerJsonCharsetCheck } from './http/plugins/json-charset.ts';
import { registerFiniteNumberCheck } from './http/plugins/finite-numbers.ts';
import { registerSystemRoutes } from './http/routes/system.routes.ts';
import { registerTenantRoutes } from './http/routes/tenants.routes.ts';
import { registerTenantDeleteRoute } from './http/routes/tenant-delete.routes.ts';
import type { TenantDeletionService } from './tenants/tenant-deletion.ts';
import { registerSessionRoutes } from './http/routes/sessions.routes.ts';
import { registerEngineRoutes } from './http/routes/engine.routes.ts';
import { registerMessageRoutes } from './http/routes/messages.routes.ts';
import { registerUploadRoute } from './http/routes/message-upload.routes.ts';
import { registerDirectoryRoutes } from './http/routes/directory.routes.ts';
import { registerGroupRoutes } from './http/routes/groups.routes.ts';
import type { MessageService } from './messages/message-service.ts';
import type { DirectoryService } from './messages/directory-service.ts';
import type { GroupService } from './messages/group-service.ts';
import type { MediaLimits } from './messages/media-source.ts';
import websocket from '@fastify/websocket';
import type { EventDelivery } from './webhooks/create-event-delivery.ts';
import { registerWebhookRoutes } from './http/routes/webhooks.routes.ts';
import { registerEventRoutes } from './http/routes/events.routes.ts';
import { createPrincipalLiveness } from './auth/principal-liveness.ts';
import { stripQueryKey } from './http/plugins/auth.ts';
import type { SendService } from './outbound/send-service.ts';
import type { QueueStatsService } from './outbound/queue-stats.ts';
import type { BulkService } from './outbound/bulk-service.ts';
import type { RateLimiter } from './outbound/rate-limit/rate-limiter.ts';
import { registerRateLimit } from './http/plugins/rate-limit.ts';
import { registerBulkMessageRoutes } from './http/routes/bulk-messages.routes.ts';
import { registerBulkSessionRoutes } from './http/routes/bulk-sessions.routes.ts';
import { registerPacingRoutes } from './http/routes/pacing.routes.ts';
import type { PacingPolicy } from './outbound/pacing-policy.ts';
import type { SessionForwarding } from './cluster/session-forwarding.ts';
import type { NodeService } from './cluster/node-service.ts';
import { registerHopRecognition, registerSessionForwarding } from './http/plugins/forwarding.ts';
import { registerNodeRoutes } from './http/routes/nodes.routes.ts';
import type { SessionTransfer } from './sessions/session-transfer.ts';
import { registerSessionTransferRoutes } from './http/routes/session-transfer.routes.ts';
import type { AlertAdmin } from './alerts/alert-admin.ts';
import { registerAlertRoutes } from './http/routes/alerts.routes.ts';
import cookie from '@fastify/cookie';
import type { Accounts } from './auth/create-accounts.ts';
import { registerAuditHook } from './http/plugins/audit.ts';
import { registerAuthRoutes } from './http/routes/auth.routes.ts';
import { registerUserRoutes } from './http/routes/users.routes.ts';
import { registerAuditRoutes } from './http/routes/audit.routes.ts';
import { registerDashboard } from './http/plugins/dashboard.ts';

/** The outbound pipeline's HTTP surface: sends, queue, bulk jobs, and the per-key rate limit. */
export interface OutboundHttpDeps {
  sender: SendService;
  queue: QueueStatsService;
  bulk: BulkService;
  pacing: PacingPolicy;
  rateLimiter: RateLimiter | undefined;
  rateLimitBurst: number;
}

export interface AppDeps {
  logger: Logger;
  bodyLimitBytes: number;
  /** Who may set X-Forwarded-For/-Proto (WAFLEET_TRUST_PROXY); default nobody. */
  trustProxy?: false | number | string[];
  /** WAFLEET_CORS_ORIGINS: browser origins allowed to call the API; empty = no CORS. */
  corsOrigins: readonly string[];
  keys: ApiKeyService;
  tenants: TenantService;
  tenantDeletion: TenantDeletionService;
  sessions: SessionService;
  messages: MessageService;
  directory: DirectoryService;
  groups: GroupService;
  media: MediaLimits;
  metrics: Metrics;
  ping: () => Promise<void>;
  /** Storage.durable: resolves once what was written so far survives a power loss. */
  durable: () => Promise<void>;
  delivery: Pick<EventDelivery, 'webhooks' | 'tester' | 'deliveries' | 'events' | 'hub' | 'wsPingMs'>;
  outbound: OutboundHttpDeps;
  /** Passes session calls to the node that runs the session. */
  forwarding: SessionForwarding;
  nodes: NodeService;
  transfer: SessionTransfer;
  alerts: AlertAdmin;
  accounts: Pick<Accounts, 'logins' | 'users' | 'audit' | 'stats'> & { cookieSecure: 'auto' | 'always' | 'never'; auditEnabled: boolean };
  /** The built dashboard (dist/dashboard), or undefined when there is none. */
  dashboardDir: string | undefined;
}

/** A hop count becomes proxy-addr's (address, hop) test: trust the first N hops from this server. */
function trustProxyOption(trust: AppDeps['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust ?? false;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const nextRequestId = createIdFactory();
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new ProbeQuietLogController(),
    bodyLimit: deps.bodyLimitBytes,
    trustProxy: trustProxyOption(deps.trustProxy),
    // The event WebSocket may carry ?key=: it is taken off the URL before anything logs it.
    rewriteUrl: (raw) => stripQueryKey(raw),
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : nextRequestId();
    },
    // Unknown fields are an error the caller should hear about, never silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true, allErrors: false } },
    frameworkErrors,
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // What a write's answer reports must survive a power loss (Storage.durable); reads need not wait.
    if (request.method !== 'GET' && request.method !== 'HEAD') await deps.durable();
  });
  registerErrorHandling(app);
  registerHopRecognition(app, deps.forwarding);
  registerRequestMetrics(app, deps.metrics);
  await registerSecurityHeaders(app);
  await registerCors(app, deps.corsOrigins);
  registerJsonCharsetCheck(app);
  registerFiniteNumberCheck(app);

  await app.register(swagger, {
    openapi: {
      info: { title: 'wafleet API', version: '1', description: 'WhatsApp session gateway. Authenticate with `Authorization: Bearer <key>` or `X-Api-Key`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } } },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', transformStaticCSP: swaggerUiCsp });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerSystemRoutes(app, { ping: deps.ping, metrics: deps.metrics });
  await app.register(cookie);
  await registerDashboard(app, deps.dashboardDir);
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  const sendBodyLimit = Math.max(deps.bodyLimitBytes, Math.ceil(deps.media.maxBytes * 1.37) + 64 * 1024);
  await app.register(async (v1) => {
    registerAuth(v1, { keys: deps.keys, logins: deps.accounts.logins });
    registerRateLimit(v1, deps.outbound.rateLimiter, deps.outbound.rateLimitBurst);
    registerSessionForwarding(v1, deps.forwarding);
    registerAuditHook(v1, { enabled: deps.accounts.auditEnabled, audit: deps.accounts.audit, tenantOfSession: async (id) => (await deps.sessions.tenantOf(id)) });
    registerAuthRoutes(v1, deps.accounts);
    registerUserRoutes(v1, deps.accounts);
    registerAuditRoutes(v1, deps.accounts);
    registerTenantRoutes(v1, deps);
    registerTenantDeleteRoute(v1, deps);
    registerNodeRoutes(v1, deps);
    registerSessionRoutes(v1, deps);
    registerSessionTransferRoutes(v1, { transfer: deps.transfer, importBodyLimit: sendBodyLimit });
    registerEngineRoutes(v1, deps);
    registerDirectoryRoutes(v1, { ...deps, sendBodyLimit });
    registerGroupRoutes(v1, deps);
    registerWebhookRoutes(v1, deps.delivery);
    registerEventRoutes(v1, { ...deps.delivery, stillValid: createPrincipalLiveness({ keys: deps.keys, logins: deps.accounts.logins }) });
    // Sends may carry base64 media: their body limit follows the media limit, not the general one.
    registerMessageRoutes(v1, { ...deps, ...deps.outbound, sendBodyLimit });
    registerBulkMessageRoutes(v1, { ...deps.outbound, sendBodyLimit });
    registerBulkSessionRoutes(v1, deps);
    registerPacingRoutes(v1, deps.outbound);
    registerAlertRoutes(v1, deps);
    await registerUploadRoute(v1, { sender: deps.outbound.sender, maxBytes: deps.media.maxBytes });
  });
  return app;
}
