/**
 * The shapes the dashboard reads from the public API, mirroring the response schemas in
 * /openapi.json. test/unit/dashboard-api-contract.test.ts checks every endpoint and every field
 * named in FIELDS_READ against the live document, so a change to the API that breaks the
 * dashboard fails a test instead of a page.
 */

export type SessionStatus = 'STOPPED' | 'STARTING' | 'SCAN_QR' | 'WORKING' | 'RECONNECTING' | 'FAILED' | 'LOGGED_OUT';
export type Role = 'admin' | 'owner' | 'operator' | 'viewer';
export type Scope = 'read' | 'send' | 'manage';

export interface User {
  id: string;
  tenantId: string | null;
  email: string;
  name: string | null;
  role: Role;
  disabled: boolean;
  createdAt: number;
  lastLoginAt: number | null;
}

export interface Me {
  kind: 'user' | 'key';
  user: User | null;
  admin: boolean;
  tenantId: string | null;
  role: Role | null;
  scopes: Scope[];
  canManageTenant: boolean;
  csrfToken: string | null;
}

export interface LoginAnswer {
  user: User;
  expiresIn: number;
  csrfToken: string;
}

export interface Session {
  id: string;
  tenantId: string;
  engine: string;
  status: SessionStatus;
  statusReason: string | null;
  desiredState: 'running' | 'stopped';
  me: { id: string; lid?: string; name?: string } | null;
  qrAvailable: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface SessionPage {
  items: Session[];
  total: number;
}

export interface Health {
  healthy: boolean;
  status: string;
  reason: string | null;
  lastFrameAgeMs: number | null;
  keepaliveRttMs: number | null;
  decryptErrors: number;
  reconnectAttempts: number;
}

export interface QueueStats {
  depth: number;
  oldestEnqueuedAt: number | null;
  waitMs: number;
  drainEstimateAt: number | null;
  inFlight: string | null;
  pacing: Record<string, unknown>;
}

export type MessageStatus = 'queued' | 'pending' | 'sent' | 'delivered' | 'read' | 'played' | 'failed' | string;

export interface Message {
  id: string;
  chatId: string;
  fromMe: boolean;
  type: string;
  content: Record<string, unknown>;
  status: MessageStatus;
  statusReason: string | null;
  timestamp: number;
}

export interface Webhook {
  id: string;
  level: 'global' | 'tenant' | 'session';
  tenantId: string | null;
  sessionId: string | null;
  url: string;
  events: string[];
  enabled: boolean;
  description: string | null;
  secret?: string;
}

export interface Delivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'delivering' | 'delivered' | 'dead';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastLatencyMs: number | null;
  updatedAt: number;
}

export interface EventEnvelope {
  id: string;
  type: string;
  tenantId: string;
  sessionId: string | null;
  timestamp: number;
  payload: Record<string, unknown>;
}

export interface Tenant {
  id: string;
  name: string;
  maxSessions: number;
  createdAt: number;
}

export interface ApiKey {
  id: string;
  tenantId: string | null;
  name: string;
  scopes: Scope[];
  createdAt: number;
  revokedAt: number | null;
  key?: string;
}

export interface AuditRow {
  id: string;
  at: number;
  actorType: 'key' | 'user' | 'anonymous';
  actorId: string | null;
  tenantId: string | null;
  action: string;
  resource: string | null;
  result: string;
  statusCode: number;
  sourceIp: string | null;
}

export interface StatsRow {
  sessionId: string;
  bucketStart: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  received: number;
  webhookOk: number;
  webhookFailed: number;
}

export interface Analytics {
  bucket: 'hour' | 'day';
  from: number;
  to: number;
  items: StatsRow[];
  totals: Omit<StatsRow, 'sessionId' | 'bucketStart'>;
}

/** The cluster's nodes (GET /v1/nodes; a single node is a cluster of one). The page hides itself where the API answers 404. */
export interface NodeStats {
  cpuPercent: number;
  rssBytes: number;
  eventLoopLagMs: number;
  messagesInPerMin: number;
  messagesOutPerMin: number;
  /** null until the node has answered enough API calls to tell. */
  apiP95Ms: number | null;
  apiP99Ms: number | null;
  errorRate: number;
}

export interface ClusterNode {
  id: string;
  url: string;
  state: 'active' | 'draining' | 'dead';
  version: string;
  startedAt: number;
  lastHeartbeatAt: number;
  sessions: number;
  /** null: no limit. */
  capacity: number | null;
  weight: number;
  tags: Record<string, string>;
  stats: NodeStats;
}

export interface NodeStatsPoint extends NodeStats {
  at: number;
  sessions: number;
}
