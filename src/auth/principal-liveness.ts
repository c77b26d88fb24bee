/**
 * Whether the credential behind a long-lived connection still stands: a login not logged out, its
 * user not disabled; an API key not revoked. Open WebSocket streams ask this periodically, so
 * logging out (on any node) or revoking a key ends the streams it opened, not only new requests.
 */
import type { ApiKeyService } from './api-key-service.ts';
import type { LoginService } from './login-service.ts';
import type { Principal } from './principal.ts';

/**
 * Just under the streams' check interval (5 s): one read per key and check round, however many
 * streams the key holds open; a revoked key's streams end within about 10 s.
 */
const KEY_CHECK_TTL_MS = 4_000;

export type StillValid = (principal: Principal) => Promise<boolean>;

export function createPrincipalLiveness(deps: { keys: Pick<ApiKeyService, 'get'>; logins: Pick<LoginService, 'isLive'>; now?: () => number }): StillValid {
  const now = deps.now ?? Date.now;
  const keys = new Map<string, { ok: boolean; until: number }>();
  return async (principal) => {
    if (principal.user) return deps.logins.isLive(principal.user.id, principal.user.sessionId);
    const at = now();
    const cached = keys.get(principal.keyId);
    if (cached && cached.until > at) return cached.ok;
    const record = await deps.keys.get(principal.keyId);
    const ok = Boolean(record && record.revokedAt === null);
    if (keys.size > 10_000) keys.clear();
    keys.set(principal.keyId, { ok, until: at + KEY_CHECK_TTL_MS });
    return ok;
  };
}
