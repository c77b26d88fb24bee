/**
 * The dashboard's only way to the server: the public API, with the login's httpOnly cookies (the
 * browser sends them; page scripts never see a token) and the CSRF token on every change. An
 * expired access cookie is renewed once through /v1/auth/refresh and the call repeated.
 */
import { ENDPOINTS, type EndpointName } from './endpoints.ts';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

let csrfToken: string | null = null;
let refreshing: Promise<boolean> | undefined;
const loggedOutListeners = new Set<() => void>();

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function loggedOut(): void {
  for (const listener of loggedOutListeners) listener();
}

export function onLoggedOut(listener: () => void): () => void {
  loggedOutListeners.add(listener);
  return () => loggedOutListeners.delete(listener);
}

type Params = Record<string, string | number | undefined>;

function pathOf(template: string, params: Params): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => encodeURIComponent(String(params[name] ?? '')));
}

function queryOf(query: Params | undefined): string {
  const entries = Object.entries(query ?? {}).filter(([, value]) => value !== undefined && value !== '');
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}` : '';
}

async function send(method: string, url: string, body: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  return fetch(url, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

/** One refresh at a time: a second one with the same (then rotated) cookie would look like token theft. */
export function refreshLogin(): Promise<boolean> {
  refreshing ??= send('POST', ENDPOINTS.refresh[1], undefined)
    .then(async (response) => {
      if (!response.ok) return false;
      const answer = (await response.json()) as { csrfToken?: string };
      if (answer.csrfToken) csrfToken = answer.csrfToken;
      return true;
    })
    .catch(() => false)
    .finally(() => {
      refreshing = undefined;
    });
  return refreshing;
}

export interface CallOptions {
  params?: Params;
  query?: Params;
  body?: unknown;
  /** Statuses besides 2xx that carry an answer, not an error (503 from a health check). */
  okStatuses?: number[];
}

export async function call<T>(name: EndpointName, options: CallOptions = {}): Promise<T> {
  const [method, template] = ENDPOINTS[name];
  const url = pathOf(template, options.params ?? {}) + queryOf(options.query);
  let response = await send(method, url, options.body);
  const authRoute = name === 'login' || name === 'refresh';
  if (response.status === 401 && !authRoute) {
    if (await refreshLogin()) response = await send(method, url, options.body);
    if (response.status === 401) loggedOut();
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const parsed: unknown = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  if (!response.ok && !options.okStatuses?.includes(response.status)) {
    const error = (parsed as { error?: { code?: string; message?: string } }).error;
    throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? `${method} ${url} failed with ${response.status}`);
  }
  return parsed as T;
}

/** A readable sentence for any failure, for the page's alert region. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}
