/**
 * Audit action and resource names derived from a route, for routes that do not name their action in
 * their config: `POST /v1/sessions` → `session.create`, `POST /v1/sessions/:id/start` →
 * `session.start`, `DELETE /v1/webhooks/:id` → `webhook.delete`. Routes other modules add later are
 * named this way without touching this file.
 */

/** Last path segments that are actions on the thing before them, not collections. */
const VERBS = new Set([
  'start', 'stop', 'restart', 'logout', 'login', 'refresh', 'redeliver', 'retry', 'replay', 'read', 'block', 'unblock',
  'leave', 'join', 'revoke', 'subscribe', 'pause', 'resume', 'cancel', 'password', 'disable', 'enable', 'drain',
  'activate', 'move', 'test', 'import', 'export', 'check', 'upload',
]);

export function singular(noun: string): string {
  if (noun.endsWith('ies')) return `${noun.slice(0, -3)}y`;
  if (noun.endsWith('ss') || noun.endsWith('us')) return noun;
  return noun.endsWith('s') ? noun.slice(0, -1) : noun;
}

function segmentsOf(routeUrl: string): string[] {
  return routeUrl.split('?')[0]!.split('/').filter((segment) => segment && segment !== 'v1');
}

export function deriveAction(method: string, routeUrl: string): string {
  const segments = segmentsOf(routeUrl);
  const last = segments.at(-1) ?? '';
  const nouns = segments.filter((segment) => !segment.startsWith(':'));
  const verbOf: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'update', DELETE: 'delete' };
  if (last.startsWith(':')) {
    const noun = singular(nouns.at(-1) ?? 'resource');
    return `${noun}.${method === 'POST' ? 'call' : (verbOf[method] ?? method.toLowerCase())}`;
  }
  if (VERBS.has(last) && nouns.length >= 2) return `${singular(nouns.at(-2)!)}.${last}`;
  // `/v1/bulk/sessions` acts on many sessions at once.
  if (nouns.at(-2) === 'bulk') return `${singular(last)}.bulk`;
  if (method === 'POST' && last.endsWith('s')) return `${singular(last)}.create`;
  const owner = nouns.length >= 2 ? `${singular(nouns.at(-2)!)}.` : '';
  // A POST to a singular sub-resource is an action named by it: `session.pairing-code`, `session.presence`.
  if (method === 'POST') return `${owner}${last}`;
  return `${owner}${last}.${verbOf[method] ?? method.toLowerCase()}`;
}

/**
 * The resource a call touched, as a path without /v1: the route filled with its parameters, cut
 * after the last one (`sessions/sales` for `/v1/sessions/:id/start`), plus the id the call created.
 */
export function deriveResource(routeUrl: string, params: Record<string, unknown>, createdId: string | undefined): string {
  const segments = segmentsOf(routeUrl);
  const lastParam = segments.findLastIndex((segment) => segment.startsWith(':'));
  const fill = (segment: string) => (segment.startsWith(':') ? String(params[segment.slice(1)] ?? segment) : segment);
  const tail = segments.slice(lastParam + 1);
  const base = segments.slice(0, lastParam + 1).map(fill);
  const last = tail.at(-1);
  // A new member of a collection (`…/messages` → `…/messages/<id>`); actions and settings add nothing.
  if (createdId !== undefined && last !== undefined && last.endsWith('s') && !VERBS.has(last)) return [...base, ...tail, createdId].join('/');
  if (base.length > 0) return base.join('/');
  return (last !== undefined && VERBS.has(last) ? tail.slice(0, -1) : tail).join('/');
}
