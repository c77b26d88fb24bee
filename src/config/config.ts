/**
 * Configuration: one schema, parsed once from the environment, typed and frozen.
 * A bad value stops the process with a message naming the variable.
 */
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseTags } from '../domain/cluster.ts';
import { PLACEMENT_POLICIES, type PlacementPolicy } from '../domain/placement.ts';
import { parseAllowlist } from '../net/address-policy.ts';

const boolean = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no'])
  .transform((value) => value === '1' || value === 'true' || value === 'yes');

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const csv = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

/** proxy-addr's names for address ranges, accepted as entries of WAFLEET_TRUST_PROXY. */
/** Waits between a failed alert channel's retries. */
const ALERT_RETRY_DELAYS_MS: readonly number[] = [5_000, 30_000, 120_000];

const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function isAddressOrCidr(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry)) return true;
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Which peers may set X-Forwarded-For/-Proto: off (default), a hop count, or a list of proxy
 * addresses/CIDRs. Never "everyone": a client could then claim any address.
 */
const trustProxy = z
  .string()
  .transform((value, ctx): false | number | string[] => {
    const text = value.trim();
    if (text === '0' || text === 'false' || text === 'no') return false;
    if (/^\d{1,2}$/.test(text)) return Number(text);
    const entries = text.split(',').map((item) => item.trim()).filter(Boolean);
    const bad = entries.find((entry) => !isAddressOrCidr(entry));
    if (bad !== undefined || entries.length === 0) {
      ctx.addIssue({ code: 'custom', message: `must be a hop count or a comma-separated list of proxy addresses/CIDRs (bad entry "${bad ?? ''}")` });
      return z.NEVER;
    }
    return entries;
  });
/** Each entry is an IP address or CIDR range; the first bad one is named. */
const addressList = csv.superRefine((entries, context) => {
  try {
    parseAllowlist(entries);
  } catch (error) {
    context.addIssue({ code: 'custom', message: `has ${(error as Error).message}` });
  }
});

/** Each entry is a browser origin: scheme, host and optional port, nothing else. */
const originList = csv.superRefine((entries, context) => {
  for (const entry of entries) {
    let origin: string | undefined;
    try {
      origin = new URL(entry).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== entry || !/^https?:/.test(entry)) {
      context.addIssue({ code: 'custom', message: `has "${entry}", which is not an origin like https://app.example.com (no path, no trailing slash, no *)` });
      return;
    }
  }
});

/** Env variable name → schema. Defaults are the embedded, single-machine setup. */
const ENV_SCHEMA = {
  // Loopback unless told otherwise: a fresh install must not expose the admin API to the network.
  WAFLEET_HOST: z.string().min(1).default('127.0.0.1'),
  WAFLEET_PORT: integer(0, 65535).default(3000),
  WAFLEET_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  WAFLEET_DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier').optional(),
  WAFLEET_ADMIN_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  WAFLEET_MASTER_KEY: z.string().min(1).optional(),
  WAFLEET_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WAFLEET_WA_URL: z.string().regex(/^wss?:\/\//, 'must be a ws:// or wss:// URL').default('wss://web.whatsapp.com/ws/chat'),
  WAFLEET_ENGINE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  WAFLEET_ENABLE_FAKE_ENGINE: boolean.default(false),
  WAFLEET_DEFAULT_ENGINE: z.string().min(1).default('baileys'),
  WAFLEET_BODY_LIMIT_BYTES: integer(1024, 512 * 1024 * 1024).default(1024 * 1024),
  WAFLEET_RESUME_CONCURRENCY: integer(1, 1000).default(8),
  WAFLEET_RESUME_STAGGER_MS: integer(0, 60_000).default(50),
  WAFLEET_RECONNECT_BASE_MS: integer(1, 600_000).default(1000),
  WAFLEET_RECONNECT_MAX_MS: integer(1, 3_600_000).default(60_000),
  WAFLEET_BREAKER_FAILURES: integer(1, 1000).default(5),
  WAFLEET_BREAKER_WINDOW_MS: integer(1000, 86_400_000).default(300_000),
  WAFLEET_DEFAULT_MAX_SESSIONS: integer(0, 1_000_000).default(10),
  WAFLEET_HEALTH_STALE_MS: integer(1000, 3_600_000).default(90_000),
  WAFLEET_QR_MAX_CYCLES: integer(1, 1000).default(5),
  WAFLEET_QR_TIMEOUT_MS: integer(100, 600_000).optional(),
  WAFLEET_NUMBER_CHECK_TTL_MS: integer(0, 30 * 86_400_000).default(86_400_000),
  WAFLEET_ENGINE_ALLOWLIST: csv.default([]),
  WAFLEET_MEDIA_MAX_BYTES: integer(1024, 2 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
  WAFLEET_MEDIA_TIMEOUT_MS: integer(100, 600_000).default(30_000),
  WAFLEET_ALLOW_PRIVATE_URLS: boolean.default(false),
  WAFLEET_PRIVATE_URL_ALLOWLIST: addressList.default([]),
  WAFLEET_CORS_ORIGINS: originList.default([]),
  WAFLEET_WEBHOOK_TIMEOUT_MS: integer(100, 120_000).default(10_000),
  WAFLEET_WEBHOOK_RETRY_BASE_MS: integer(1, 3_600_000).default(2_000),
  WAFLEET_WEBHOOK_RETRY_MAX_MS: integer(1, 86_400_000).default(900_000),
  WAFLEET_WEBHOOK_RETRY_WINDOW_MS: integer(0, 30 * 86_400_000).default(86_400_000),
  WAFLEET_WEBHOOK_CONCURRENCY: integer(1, 10_000).default(64),
  WAFLEET_WEBHOOK_ENDPOINT_CONCURRENCY: integer(1, 1000).default(8),
  WAFLEET_WEBHOOK_POLL_MS: integer(5, 60_000).default(500),
  WAFLEET_OUTBOX_SETTLE_MS: integer(0, 600_000).default(2_000),
  WAFLEET_EVENT_RETENTION_MS: integer(60_000, 3650 * 86_400_000).default(7 * 86_400_000),
  WAFLEET_DELIVERY_RETENTION_MS: integer(60_000, 3650 * 86_400_000).default(7 * 86_400_000),
  WAFLEET_RETENTION_INTERVAL_MS: integer(1000, 86_400_000).default(3_600_000),
  WAFLEET_WS_PING_MS: integer(100, 600_000).default(30_000),
  WAFLEET_SEND_TIMEOUT_MS: integer(100, 600_000).default(30_000),
  WAFLEET_SEND_MAX_ATTEMPTS: integer(1, 100).default(5),
  WAFLEET_SEND_ATTEMPT_TIMEOUT_MS: integer(100, 600_000).default(60_000),
  WAFLEET_PACING_PER_MINUTE: integer(0, 100_000).default(60),
  WAFLEET_PACING_NEW_CONTACTS_PER_DAY: integer(0, 1_000_000).default(0),
  WAFLEET_PACING_MIN_GAP_MS: integer(0, 3_600_000).default(0),
  WAFLEET_PACING_JITTER_MS: integer(0, 3_600_000).default(0),
  WAFLEET_PACING_TYPING: boolean.default(false),
  WAFLEET_PACING_TYPING_MS_PER_CHAR: integer(0, 10_000).default(50),
  WAFLEET_PACING_TYPING_MAX_MS: integer(0, 60_000).default(5_000),
  WAFLEET_BULK_MAX_RECIPIENTS: integer(1, 100_000).default(1_000),
  WAFLEET_RATE_LIMIT_RPS: z.coerce.number().min(0).max(1_000_000).default(50),
  WAFLEET_RATE_LIMIT_BURST: integer(1, 1_000_000).default(100),
  WAFLEET_REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  WAFLEET_NODE_ID: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/i, 'must be 1-63 letters, digits, ".", "_" or "-"').optional(),
  WAFLEET_NODE_URL: z.string().regex(/^https?:\/\/[^/]+\/?$/, 'must be http(s)://host:port, the address other nodes reach this one at').optional(),
  WAFLEET_NODE_CAPACITY: integer(0, 10_000_000).optional(),
  WAFLEET_NODE_WEIGHT: integer(1, 1000).default(1),
  WAFLEET_NODE_TAGS: z.string().default('').transform((value, ctx) => {
    try {
      return parseTags(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `must be key=value pairs separated by commas: ${(error as Error).message}` });
      return z.NEVER;
    }
  }),
  WAFLEET_CLUSTER_SECRET: z.string().min(24, 'must be at least 24 characters').optional(),
  WAFLEET_PLACEMENT: z.enum(PLACEMENT_POLICIES).default('least-sessions'),
  WAFLEET_LEASE_TTL_MS: integer(1000, 600_000).default(15_000),
  WAFLEET_LEASE_RENEW_MS: integer(100, 60_000).default(3_000),
  WAFLEET_LEASE_SELF_FENCE_MS: integer(200, 600_000).default(10_000),
  WAFLEET_DRAIN_CONCURRENCY: integer(1, 100).default(4),
  WAFLEET_NODE_STATS_INTERVAL_MS: integer(1000, 3_600_000).default(10_000),
  WAFLEET_NODE_STATS_RETENTION_MS: integer(60_000, 365 * 86_400_000).default(7 * 86_400_000),
  WAFLEET_DATABASE_DIRECT_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  WAFLEET_TRUST_PROXY: trustProxy.default(false),
  WAFLEET_ALERT_INTERVAL_MS: integer(1000, 3_600_000).default(30_000),
  WAFLEET_ALERT_RETENTION_MS: integer(60_000, 10 * 365 * 86_400_000).default(30 * 86_400_000),
  WAFLEET_SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  WAFLEET_ALERT_EMAIL_FROM: z.string().regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address').default('wafleet@localhost'),
  WAFLEET_ACCESS_TOKEN_TTL_MS: integer(10_000, 86_400_000).default(900_000),
  WAFLEET_REFRESH_TOKEN_TTL_MS: integer(60_000, 365 * 86_400_000).default(30 * 86_400_000),
  WAFLEET_LOGIN_MAX_ATTEMPTS: integer(1, 100_000).default(10),
  WAFLEET_LOGIN_MAX_ATTEMPTS_PER_ADDRESS: integer(1, 1_000_000).default(50),
  WAFLEET_LOGIN_WINDOW_MS: integer(1000, 86_400_000).default(900_000),
  WAFLEET_COOKIE_SECURE: z.enum(['auto', 'always', 'never']).default('auto'),
  WAFLEET_AUDIT: boolean.default(true),
  WAFLEET_AUDIT_RETENTION_MS: integer(60_000, 3650 * 86_400_000).default(90 * 86_400_000),
  WAFLEET_ANALYTICS_RETENTION_MS: integer(3_600_000, 3650 * 86_400_000).default(400 * 86_400_000),
} as const;

type EnvSchema = typeof ENV_SCHEMA;
type EnvValues = { [K in keyof EnvSchema]: z.output<EnvSchema[K]> };

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  /** PostgreSQL schema for wafleet's tables (created when missing); default the URL's search_path. */
  databaseSchema: string | undefined;
  adminKey: string | undefined;
  /** Base64 of 32 bytes; checked by security/master-key.ts. Generated into dataDir when unset. */
  masterKey: string | undefined;
  logLevel: EnvValues['WAFLEET_LOG_LEVEL'];
  enableFakeEngine: boolean;
  waUrl: string;
  engineLogLevel: EnvValues['WAFLEET_ENGINE_LOG_LEVEL'];
  defaultEngine: string;
  bodyLimitBytes: number;
  resume: { concurrency: number; staggerMs: number };
  reconnect: { baseMs: number; maxMs: number; breakerFailures: number; breakerWindowMs: number };
  defaultMaxSessions: number;
  healthStaleMs: number;
  /** Unscanned QR codes shown before a session gives up with FAILED / QR_TIMEOUT (config.qrMaxCycles overrides). */
  qrMaxCycles: number;
  /** How long each QR code is shown before Baileys rotates to the next; undefined = Baileys' 60 s then 20 s. */
  qrTimeoutMs: number | undefined;
  /** How long a session remembers whether a number is on WhatsApp (sends and contacts/check). */
  numberCheckTtlMs: number;
  engineAllowlist: string[];
  media: { maxBytes: number; timeoutMs: number; allowPrivateUrls: boolean };
  /** Non-public addresses (IPs or CIDRs) media and webhook URLs may reach although private URLs are refused. */
  privateUrlAllowlist: string[];
  /** Browser origins allowed to call the API (CORS); empty = no CORS headers at all. */
  corsOrigins: string[];
  webhooks: WebhookConfig;
  retention: { eventsMs: number; deliveriesMs: number; intervalMs: number };
  wsPingMs: number;
  outbound: OutboundConfig;
  rateLimit: RateLimitConfig;
  cluster: ClusterConfig;
  /** fastify's trustProxy: false, a hop count, or the proxies' addresses/CIDRs. */
  trustProxy: false | number | string[];
  alerts: AlertsConfig;
  users: UsersConfig;
}

/** This node in the cluster, and the lease timing every node of a cluster should share. */
export interface ClusterConfig {
  nodeId: string;
  /** Where other nodes reach this one; undefined = derived from the listen address once listening. */
  nodeUrl: string | undefined;
  /** Most sessions this node takes; null = no limit. */
  capacity: number | null;
  weight: number;
  tags: Record<string, string>;
  /** Authenticates node-to-node calls; derived from the master key when unset. */
  secret: string | undefined;
  placement: PlacementPolicy;
  leaseTtlMs: number;
  renewMs: number;
  /** A node that has not renewed for this long closes its sessions' connections itself. */
  selfFenceMs: number;
  drainConcurrency: number;
  statsIntervalMs: number;
  statsRetentionMs: number;
  /** PostgreSQL without a pooler in between, for LISTEN/NOTIFY and migrations (default: DATABASE_URL). */
  directDatabaseUrl: string | undefined;
}

/** Built-in alerting: how often rules are evaluated, and the SMTP server for email channels. */
export interface AlertsConfig {
  intervalMs: number;
  /** Resolved alerts and ended silences are deleted after this long. */
  retentionMs: number;
  /** Waits between a failed channel's retries (not an environment variable; tests shorten them). */
  retryDelaysMs: readonly number[];
  smtpUrl: string | undefined;
  emailFrom: string;
}

/** Logins of people (dashboard, Bearer JWT): token lifetimes, login throttling, cookies, audit. */
export interface UsersConfig {
  accessTokenTtlMs: number;
  refreshTokenTtlMs: number;
  /** Login attempts per account, and per source address, per window (a token bucket refilled over the window). */
  loginMaxAttempts: number;
  loginMaxAttemptsPerAddress: number;
  loginWindowMs: number;
  /** `auto`: Secure cookies when the request came over HTTPS. */
  cookieSecure: 'auto' | 'always' | 'never';
  /** WAFLEET_AUDIT=false: no audit rows (for installations that audit at their gateway). */
  auditEnabled: boolean;
  auditRetentionMs: number;
  analyticsRetentionMs: number;
}

export interface WebhookConfig {
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  retryWindowMs: number;
  concurrency: number;
  endpointConcurrency: number;
  pollMs: number;
  /** Events younger than this are left to the in-process fast path before the cursor sweep takes them. */
  settleMs: number;
  allowPrivateUrls: boolean;
}

/** Outbound pipeline: sync wait, attempts, default pacing (a session's config.pacing overrides it). */
export interface OutboundConfig {
  syncTimeoutMs: number;
  maxAttempts: number;
  attemptTimeoutMs: number;
  bulkMaxRecipients: number;
  pacing: { perMinute: number; newContactsPerDay: number; minGapMs: number; jitterMs: number; typing: boolean; typingMsPerChar: number; typingMaxMs: number };
}

/** API rate limit per key: a token bucket of `burst` tokens refilled at `rps` per second; rps 0 turns it off. */
export interface RateLimitConfig {
  rps: number;
  burst: number;
  /** Share the buckets across nodes through Redis; in memory when unset. */
  redisUrl: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`Invalid configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

function parseEnv(env: NodeJS.ProcessEnv): EnvValues {
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(ENV_SCHEMA)) {
    const raw = env[name];
    const result = (schema as z.ZodType).safeParse(raw === '' ? undefined : raw);
    if (!result.success) {
      const reason = result.error.issues[0]?.message ?? 'is invalid';
      throw new ConfigError(name, `${reason} (got ${JSON.stringify(raw)})`);
    }
    values[name] = result.data;
  }
  return values as EnvValues;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Readonly<Config> {
  const v = parseEnv(env);
  if (v.WAFLEET_RECONNECT_MAX_MS < v.WAFLEET_RECONNECT_BASE_MS) {
    throw new ConfigError('WAFLEET_RECONNECT_MAX_MS', 'must be at least WAFLEET_RECONNECT_BASE_MS');
  }
  // A node must give up its connections before its leases can expire, and renew well before that.
  if (v.WAFLEET_LEASE_SELF_FENCE_MS >= v.WAFLEET_LEASE_TTL_MS) {
    throw new ConfigError('WAFLEET_LEASE_SELF_FENCE_MS', 'must be less than WAFLEET_LEASE_TTL_MS');
  }
  if (v.WAFLEET_LEASE_RENEW_MS * 2 > v.WAFLEET_LEASE_SELF_FENCE_MS) {
    throw new ConfigError('WAFLEET_LEASE_RENEW_MS', 'must be at most half of WAFLEET_LEASE_SELF_FENCE_MS');
  }
  const config: Config = {
    host: v.WAFLEET_HOST,
    port: v.WAFLEET_PORT,
    dataDir: v.WAFLEET_DATA_DIR,
    databaseUrl: v.DATABASE_URL,
    databaseSchema: v.WAFLEET_DATABASE_SCHEMA,
    adminKey: v.WAFLEET_ADMIN_KEY,
    masterKey: v.WAFLEET_MASTER_KEY,
    logLevel: v.WAFLEET_LOG_LEVEL,
    enableFakeEngine: v.WAFLEET_ENABLE_FAKE_ENGINE,
    waUrl: v.WAFLEET_WA_URL,
    engineLogLevel: v.WAFLEET_ENGINE_LOG_LEVEL,
    defaultEngine: v.WAFLEET_DEFAULT_ENGINE,
    bodyLimitBytes: v.WAFLEET_BODY_LIMIT_BYTES,
    resume: { concurrency: v.WAFLEET_RESUME_CONCURRENCY, staggerMs: v.WAFLEET_RESUME_STAGGER_MS },
    reconnect: {
      baseMs: v.WAFLEET_RECONNECT_BASE_MS,
      maxMs: v.WAFLEET_RECONNECT_MAX_MS,
      breakerFailures: v.WAFLEET_BREAKER_FAILURES,
      breakerWindowMs: v.WAFLEET_BREAKER_WINDOW_MS,
    },
    defaultMaxSessions: v.WAFLEET_DEFAULT_MAX_SESSIONS,
    healthStaleMs: v.WAFLEET_HEALTH_STALE_MS,
    qrMaxCycles: v.WAFLEET_QR_MAX_CYCLES,
    qrTimeoutMs: v.WAFLEET_QR_TIMEOUT_MS,
    numberCheckTtlMs: v.WAFLEET_NUMBER_CHECK_TTL_MS,
    engineAllowlist: v.WAFLEET_ENGINE_ALLOWLIST,
    media: { maxBytes: v.WAFLEET_MEDIA_MAX_BYTES, timeoutMs: v.WAFLEET_MEDIA_TIMEOUT_MS, allowPrivateUrls: v.WAFLEET_ALLOW_PRIVATE_URLS },
    privateUrlAllowlist: v.WAFLEET_PRIVATE_URL_ALLOWLIST,
    corsOrigins: v.WAFLEET_CORS_ORIGINS,
    webhooks: {
      timeoutMs: v.WAFLEET_WEBHOOK_TIMEOUT_MS,
      retryBaseMs: v.WAFLEET_WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: Math.max(v.WAFLEET_WEBHOOK_RETRY_MAX_MS, v.WAFLEET_WEBHOOK_RETRY_BASE_MS),
      retryWindowMs: v.WAFLEET_WEBHOOK_RETRY_WINDOW_MS,
      concurrency: v.WAFLEET_WEBHOOK_CONCURRENCY,
      endpointConcurrency: v.WAFLEET_WEBHOOK_ENDPOINT_CONCURRENCY,
      pollMs: v.WAFLEET_WEBHOOK_POLL_MS,
      settleMs: v.WAFLEET_OUTBOX_SETTLE_MS,
      allowPrivateUrls: v.WAFLEET_ALLOW_PRIVATE_URLS,
    },
    retention: { eventsMs: v.WAFLEET_EVENT_RETENTION_MS, deliveriesMs: v.WAFLEET_DELIVERY_RETENTION_MS, intervalMs: v.WAFLEET_RETENTION_INTERVAL_MS },
    wsPingMs: v.WAFLEET_WS_PING_MS,
    outbound: {
      syncTimeoutMs: v.WAFLEET_SEND_TIMEOUT_MS,
      maxAttempts: v.WAFLEET_SEND_MAX_ATTEMPTS,
      attemptTimeoutMs: v.WAFLEET_SEND_ATTEMPT_TIMEOUT_MS,
      bulkMaxRecipients: v.WAFLEET_BULK_MAX_RECIPIENTS,
      pacing: {
        perMinute: v.WAFLEET_PACING_PER_MINUTE,
        newContactsPerDay: v.WAFLEET_PACING_NEW_CONTACTS_PER_DAY,
        minGapMs: v.WAFLEET_PACING_MIN_GAP_MS,
        jitterMs: v.WAFLEET_PACING_JITTER_MS,
        typing: v.WAFLEET_PACING_TYPING,
        typingMsPerChar: v.WAFLEET_PACING_TYPING_MS_PER_CHAR,
        typingMaxMs: v.WAFLEET_PACING_TYPING_MAX_MS,
      },
    },
    rateLimit: { rps: v.WAFLEET_RATE_LIMIT_RPS, burst: v.WAFLEET_RATE_LIMIT_BURST, redisUrl: v.WAFLEET_REDIS_URL },
    cluster: {
      // SQLite allows one process per data dir, so the embedded default needs no name.
      // A random port (0) names no stable node: the process id does, for as long as it runs.
      nodeId: v.WAFLEET_NODE_ID ?? (v.DATABASE_URL ? `${hostname()}-${v.WAFLEET_PORT || process.pid}` : 'local'),
      nodeUrl: v.WAFLEET_NODE_URL?.replace(/\/$/, ''),
      capacity: v.WAFLEET_NODE_CAPACITY ?? null,
      weight: v.WAFLEET_NODE_WEIGHT,
      tags: v.WAFLEET_NODE_TAGS,
      secret: v.WAFLEET_CLUSTER_SECRET,
      placement: v.WAFLEET_PLACEMENT,
      leaseTtlMs: v.WAFLEET_LEASE_TTL_MS,
      renewMs: v.WAFLEET_LEASE_RENEW_MS,
      selfFenceMs: v.WAFLEET_LEASE_SELF_FENCE_MS,
      drainConcurrency: v.WAFLEET_DRAIN_CONCURRENCY,
      statsIntervalMs: v.WAFLEET_NODE_STATS_INTERVAL_MS,
      statsRetentionMs: v.WAFLEET_NODE_STATS_RETENTION_MS,
      directDatabaseUrl: v.WAFLEET_DATABASE_DIRECT_URL,
    },
    trustProxy: v.WAFLEET_TRUST_PROXY,
    alerts: { intervalMs: v.WAFLEET_ALERT_INTERVAL_MS, retentionMs: v.WAFLEET_ALERT_RETENTION_MS, retryDelaysMs: ALERT_RETRY_DELAYS_MS, smtpUrl: v.WAFLEET_SMTP_URL, emailFrom: v.WAFLEET_ALERT_EMAIL_FROM },
    users: {
      accessTokenTtlMs: v.WAFLEET_ACCESS_TOKEN_TTL_MS,
      refreshTokenTtlMs: v.WAFLEET_REFRESH_TOKEN_TTL_MS,
      loginMaxAttempts: v.WAFLEET_LOGIN_MAX_ATTEMPTS,
      loginMaxAttemptsPerAddress: v.WAFLEET_LOGIN_MAX_ATTEMPTS_PER_ADDRESS,
      loginWindowMs: v.WAFLEET_LOGIN_WINDOW_MS,
      cookieSecure: v.WAFLEET_COOKIE_SECURE,
      auditEnabled: v.WAFLEET_AUDIT,
      auditRetentionMs: v.WAFLEET_AUDIT_RETENTION_MS,
      analyticsRetentionMs: v.WAFLEET_ANALYTICS_RETENTION_MS,
    },
    ...overrides,
  };
  return Object.freeze(config);
}

/** The documented variables, for the README table and `wafleet --help`. */
export const CONFIG_VARIABLES = Object.keys(ENV_SCHEMA);
