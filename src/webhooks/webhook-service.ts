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
import { isClearHeaders, type SecretBox } from './secret-box.ts';

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
  /** Names of the custom headers, each with the value REDACTED: they carry the receiver's credentials. */
  headers: Record<string, string>;
  enabled: boolean;
  description: string | null;
  createdAt: number;
  updatedAt: number;
  /** Only in the answer to create, and to an update that set a new secret. */
  secret?: string;
}

const RESERVED_HEADERS = new Set(['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'user-agent']);

/** What answers show instead of a custom header's value; sent back in a PATCH, it keeps the stored value. */
export const REDACTED = '[redacted]';

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
    const redacted = Object.entries(input.headers ?? {}).find(([, value]) => value === REDACTED);
    if (redacted) throw redactedWithoutValue(redacted[0]);
    const now = this.deps.clock.now();
    const id = this.deps.newId();
    const secret = input.secret ?? generateSecret();
    const record: WebhookRecord = {
      id,
      ...scope,
      url: input.url,
      events: input.events ?? ['*'],
      headers: this.deps.secrets.sealHeaders(id, input.headers ?? {}),
      secret: this.deps.secrets.seal(id, secret),
      enabled: input.enabled ?? true,
      description: input.description ?? null,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.storage.webhooks.create(record);
    this.deps.changed();
    return { ...this.view(record), secret };
  }

  async list(principal: Principal, query: { session?: string; tenant?: string }): Promise<WebhookView[]> {
    requireScope(principal, 'manage');
    const own = tenantOf(principal);
    if (own !== undefined && query.tenant !== undefined && query.tenant !== own) return [];
    const tenantId = own ?? query.tenant;
    const rows = await this.deps.storage.webhooks.list({ ...(tenantId !== undefined ? { tenantId } : {}), ...(query.session ? { sessionId: query.session } : {}) });
    return rows.map((row) => this.view(row));
  }

  async get(principal: Principal, id: string): Promise<WebhookView> {
    return this.view(await this.visible(principal, id));
  }

  async update(principal: Principal, id: string, patch: WebhookPatch): Promise<WebhookView> {
    const existing = await this.visible(principal, id);
    if (patch.url !== undefined) await this.checkUrl(patch.url);
    if (patch.headers !== undefined) checkHeaders(patch.headers);
    const { secret, headers, ...rest } = patch;
    const sealed = {
      ...(secret !== undefined ? { secret: this.deps.secrets.seal(existing.id, secret) } : {}),
      ...(headers !== undefined ? { headers: this.deps.secrets.sealHeaders(existing.id, this.keepRedacted(existing, headers)) } : {}),
    };
    const updated = await this.deps.storage.webhooks.update(existing.id, { ...rest, ...sealed }, this.deps.clock.now());
    if (!updated) throw new AppError('WEBHOOK_NOT_FOUND');
    this.deps.changed();
    return { ...this.view(updated), ...(secret !== undefined ? { secret } : {}) };
  }

  async delete(principal: Principal, id: string): Promise<void> {
    const existing = await this.visible(principal, id);
    await this.deps.storage.webhooks.delete(existing.id);
    this.deps.changed();
  }

  /**
   * Seals the custom headers of webhooks stored in clear by earlier versions; run at start. Each row
   * is replaced only if it is still the clear value read, so an update meanwhile is never undone.
   */
  async sealClearHeaders(): Promise<number> {
    let sealed = 0;
    for (const webhook of await this.deps.storage.webhooks.list({})) {
      if (!isClearHeaders(webhook.headers)) continue;
      const next = this.deps.secrets.sealHeaders(webhook.id, this.deps.secrets.openHeaders(webhook.id, webhook.headers));
      if (await this.deps.storage.webhooks.replaceHeaders(webhook.id, webhook.headers, next)) sealed += 1;
    }
    if (sealed > 0) this.deps.changed();
    return sealed;
  }

  private view(webhook: WebhookRecord): WebhookView {
    const { secret: _secret, headers, ...rest } = webhook;
    const names = Object.keys(this.deps.secrets.openHeaders(webhook.id, headers));
    return { ...rest, headers: Object.fromEntries(names.map((name) => [name, REDACTED])), level: webhookLevel(webhook) };
  }

  /** A header sent back as REDACTED keeps its stored value; one the webhook does not have is an error. */
  private keepRedacted(existing: WebhookRecord, headers: Record<string, string>): Record<string, string> {
    if (!Object.values(headers).includes(REDACTED)) return headers;
    const stored = this.deps.secrets.openHeaders(existing.id, existing.headers);
    const storedByName = new Map(Object.entries(stored).map(([name, value]) => [name.toLowerCase(), value]));
    return Object.fromEntries(Object.entries(headers).map(([name, value]) => {
      if (value !== REDACTED) return [name, value];
      const kept = storedByName.get(name.toLowerCase());
      if (kept === undefined) throw redactedWithoutValue(name);
      return [name, kept];
    }));
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

function redactedWithoutValue(name: string): AppError {
  return new AppError('VALIDATION_FAILED', `headers.${name} is "${REDACTED}" but the webhook has no stored value for it: send the real value.`, { field: `body.headers.${name}` });
}

function checkHeaders(headers: Record<string, string>): void {
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (RESERVED_HEADERS.has(lower) || lower.startsWith('x-wafleet-')) {
      throw new AppError('WEBHOOK_HEADER_NOT_ALLOWED', `"${name}" is set by wafleet and cannot be a custom header.`, { field: `body.headers.${name}` });
    }
  }
}
