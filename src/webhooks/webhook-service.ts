/** Webhook CRUD with tenant walls: tenant `manage` keys see their tenant's and sessions' webhooks; admins all. */
import type { Principal } from '../auth/principal.ts';
import { tenantOf } from '../auth/principal.ts';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors/app-error.ts';
import { requireScope } from '../sessions/session-service.ts';
import type { Storage } from '../storage/ports.ts';
import { webhookLevel, type WebhookLevel, type WebhookRecord } from '../domain/webhooks.ts';
import { assertAllowedUrl } from '../net/url-guard.ts';
import type { OutboundGuard } from '../net/outbound-guard.ts';
import { generateSecret } from './signer.ts';
import type { SecretBox } from './secret-box.ts';

export interface WebhookInput {
  url: string;
  events?: string[];
  headers?: Record<string, string>;
  secret?: string;
  enabled?: boolean;
  description?: string | null;
  session?: string;
  tenant?: string;
}

export type WebhookPatch = Partial<Pick<WebhookInput, 'url' | 'events' | 'headers' | 'secret' | 'enabled' | 'description'>>;

export interface WebhookView {
  id: string;
  level: WebhookLevel;
  tenantId: string | null;
  sessionId: string | null;
  url: string;
  events: string[];
  headers: Record<string, string>;
  enabled: boolean;
  description: string | null;
  createdAt: number;
  updatedAt: number;
  /** Only in the answer to create, and to an update that set a new secret. */
  secret?: string;
}

const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'user-agent']);

export function viewOf(webhook: WebhookRecord): WebhookView {
  const { secret: _secret, ...rest } = webhook;
  return { ...rest, level: webhookLevel(webhook) };
}

export interface WebhookServiceDeps {
  storage: Storage;
  clock: Clock;
  newId: () => string;
  secrets: SecretBox;
  /** The early URL check; deliveries are guarded again when they connect (http-sender.ts). */
  guard: OutboundGuard;
  /** Webhooks changed: the dispatcher reloads them. */
  changed: () => void;
}

export class WebhookService {
  constructor(private readonly deps: WebhookServiceDeps) {}

  async create(principal: Principal, input: WebhookInput): Promise<WebhookView> {
    requireScope(principal, 'manage');
    const scope = await this.scopeFor(principal, input);
    await this.checkUrl(input.url);
    checkHeaders(input.headers ?? {});
    const now = this.deps.clock.now();
    const id = this.deps.newId();
    const secret = input.secret ?? generateSecret();
    const record: WebhookRecord = {
      id,
      ...scope,
      url: input.url,
      events: input.events ?? ['*'],
      headers: input.headers ?? {},
      secret: this.deps.secrets.seal(id, secret),
      enabled: input.enabled ?? true,
      description: input.description ?? null,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.storage.webhooks.create(record);
    this.deps.changed();
    return { ...viewOf(record), secret };
  }

  async list(principal: Principal, query: { session?: string; tenant?: string }): Promise<WebhookView[]> {
    requireScope(principal, 'manage');
    const own = tenantOf(principal);
    if (own !== undefined && query.tenant !== undefined && query.tenant !== own) return [];
    const tenantId = own ?? query.tenant;
    const rows = await this.deps.storage.webhooks.list({ ...(tenantId !== undefined ? { tenantId } : {}), ...(query.session ? { sessionId: query.session } : {}) });
    return rows.map(viewOf);
  }

  async get(principal: Principal, id: string): Promise<WebhookView> {
    return viewOf(await this.visible(principal, id));
  }

  async update(principal: Principal, id: string, patch: WebhookPatch): Promise<WebhookView> {
    const existing = await this.visible(principal, id);
    if (patch.url !== undefined) await this.checkUrl(patch.url);
    if (patch.headers !== undefined) checkHeaders(patch.headers);
    const { secret, ...rest } = patch;
    const updated = await this.deps.storage.webhooks.update(existing.id, { ...rest, ...(secret !== undefined ? { secret: this.deps.secrets.seal(id, secret) } : {}) }, this.deps.clock.now());
    if (!updated) throw new AppError('WEBHOOK_NOT_FOUND');
    this.deps.changed();
    return { ...viewOf(updated), ...(secret !== undefined ? { secret } : {}) };
  }

  async delete(principal: Principal, id: string): Promise<void> {
    const existing = await this.visible(principal, id);
    await this.deps.storage.webhooks.delete(existing.id);
    this.deps.changed();
  }

  /** The webhook if this principal may manage it; otherwise 404, exactly like a missing one. */
  async visible(principal: Principal, id: string): Promise<WebhookRecord> {
    requireScope(principal, 'manage');
    const webhook = await this.deps.storage.webhooks.get(id);
    const own = tenantOf(principal);
    if (!webhook || (own !== undefined && webhook.tenantId !== own)) throw new AppError('WEBHOOK_NOT_FOUND', `Webhook "${id}" not found.`);
    return webhook;
  }

  private async scopeFor(principal: Principal, input: WebhookInput): Promise<{ tenantId: string | null; sessionId: string | null }> {
    const own = tenantOf(principal);
    if (own !== undefined && input.tenant !== undefined && input.tenant !== own) throw new AppError('TENANT_NOT_FOUND', `Tenant "${input.tenant}" not found.`);
    if (input.session !== undefined) {
      const session = await this.deps.storage.sessions.get(input.session);
      const wanted = own ?? input.tenant;
      if (!session || (wanted !== undefined && session.tenantId !== wanted)) throw new AppError('SESSION_NOT_FOUND', `Session "${input.session}" not found.`);
      return { tenantId: session.tenantId, sessionId: session.id };
    }
    const tenantId = own ?? input.tenant;
    if (tenantId === undefined) return { tenantId: null, sessionId: null };
    if (!(await this.deps.storage.tenants.get(tenantId))) throw new AppError('TENANT_NOT_FOUND', `Tenant "${tenantId}" not found.`);
    return { tenantId, sessionId: null };
  }

  private async checkUrl(raw: string): Promise<void> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new AppError('WEBHOOK_URL_INVALID', `"${raw.slice(0, 100)}" is not an absolute URL.`, { field: 'body.url' });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AppError('WEBHOOK_URL_INVALID', 'The webhook URL must use http:// or https://.', { field: 'body.url' });
    try {
      await assertAllowedUrl(this.deps.guard, url, 'webhook URL');
    } catch (error) {
      if (error instanceof AppError && error.code === 'MEDIA_FETCH_FAILED') throw new AppError('WEBHOOK_URL_INVALID', error.message, { field: 'body.url' });
      throw error;
    }
  }
}

function checkHeaders(headers: Record<string, string>): void {
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower) || lower.startsWith('x-wafleet-')) {
      throw new AppError('WEBHOOK_HEADER_NOT_ALLOWED', `"${name}" is set by wafleet and cannot be a custom header.`, { field: `body.headers.${name}` });
    }
  }
}
