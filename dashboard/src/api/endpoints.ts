/**
 * Every API call the dashboard makes, as [method, OpenAPI path]. The client refuses a call that is
 * not listed, and the contract test checks each listed one exists in /openapi.json (the nodes
 * routes are marked optional: the cluster adds them).
 */
export const ENDPOINTS = {
  login: ['POST', '/v1/auth/login'],
  refresh: ['POST', '/v1/auth/refresh'],
  logout: ['POST', '/v1/auth/logout'],
  me: ['GET', '/v1/auth/me'],
  sessions: ['GET', '/v1/sessions'],
  createSession: ['POST', '/v1/sessions'],
  session: ['GET', '/v1/sessions/{id}'],
  deleteSession: ['DELETE', '/v1/sessions/{id}'],
  startSession: ['POST', '/v1/sessions/{id}/start'],
  stopSession: ['POST', '/v1/sessions/{id}/stop'],
  restartSession: ['POST', '/v1/sessions/{id}/restart'],
  logoutSession: ['POST', '/v1/sessions/{id}/logout'],
  bulkSessions: ['POST', '/v1/bulk/sessions'],
  qr: ['GET', '/v1/sessions/{id}/qr'],
  pairingCode: ['POST', '/v1/sessions/{id}/pairing-code'],
  health: ['GET', '/v1/sessions/{id}/health'],
  queue: ['GET', '/v1/sessions/{id}/queue'],
  messages: ['GET', '/v1/sessions/{id}/messages'],
  send: ['POST', '/v1/sessions/{id}/messages'],
  webhooks: ['GET', '/v1/webhooks'],
  createWebhook: ['POST', '/v1/webhooks'],
  deleteWebhook: ['DELETE', '/v1/webhooks/{id}'],
  deliveries: ['GET', '/v1/webhooks/{id}/deliveries'],
  redeliver: ['POST', '/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver'],
  replay: ['POST', '/v1/webhooks/{id}/replay'],
  deadLetters: ['GET', '/v1/webhooks/dead-letters'],
  retryDead: ['POST', '/v1/webhooks/dead-letters/retry'],
  events: ['GET', '/v1/events'],
  tenants: ['GET', '/v1/tenants'],
  createTenant: ['POST', '/v1/tenants'],
  keys: ['GET', '/v1/tenants/{tenant}/keys'],
  createKey: ['POST', '/v1/tenants/{tenant}/keys'],
  revokeKey: ['DELETE', '/v1/keys/{keyId}'],
  users: ['GET', '/v1/users'],
  createUser: ['POST', '/v1/users'],
  deleteUser: ['DELETE', '/v1/users/{id}'],
  disableUser: ['POST', '/v1/users/{id}/disable'],
  enableUser: ['POST', '/v1/users/{id}/enable'],
  resetPassword: ['POST', '/v1/users/{id}/password'],
  audit: ['GET', '/v1/audit'],
  analytics: ['GET', '/v1/analytics/messages'],
  nodes: ['GET', '/v1/nodes'],
  nodeStats: ['GET', '/v1/nodes/{id}/stats'],
  drainNode: ['POST', '/v1/nodes/{id}/drain'],
  activateNode: ['POST', '/v1/nodes/{id}/activate'],
  moveSession: ['POST', '/v1/sessions/{id}/move'],
} as const satisfies Record<string, readonly ['GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', string]>;

export type EndpointName = keyof typeof ENDPOINTS;

/** Routes the cluster (issue 16) adds; until then they answer 404 and their page stays hidden. */
export const OPTIONAL_ENDPOINTS: readonly EndpointName[] = ['nodes', 'nodeStats', 'drainNode', 'activateNode', 'moveSession'];

/** Response fields the pages read, per endpoint: the contract test finds each in the response schema. */
export const FIELDS_READ: Partial<Record<EndpointName, readonly string[]>> = {
  login: ['user', 'expiresIn', 'csrfToken'],
  me: ['kind', 'user', 'admin', 'tenantId', 'role', 'scopes', 'canManageTenant', 'csrfToken'],
  sessions: ['items', 'total'],
  session: ['id', 'tenantId', 'engine', 'status', 'statusReason', 'me', 'qrAvailable', 'updatedAt'],
  health: ['healthy', 'lastFrameAgeMs', 'keepaliveRttMs', 'decryptErrors', 'reconnectAttempts'],
  queue: ['depth', 'oldestEnqueuedAt', 'waitMs', 'inFlight', 'pacing'],
  messages: ['items'],
  send: ['id', 'status'],
  webhooks: ['items'],
  createWebhook: ['id', 'url', 'events', 'secret', 'level'],
  deliveries: ['items'],
  deadLetters: ['items'],
  retryDead: ['queued'],
  replay: ['queued'],
  tenants: ['items'],
  keys: ['items'],
  createKey: ['id', 'key', 'scopes'],
  users: ['items', 'total'],
  createUser: ['id', 'email', 'role', 'disabled'],
  audit: ['items', 'next'],
  analytics: ['items', 'totals', 'bucket'],
  pairingCode: ['code'],
};
