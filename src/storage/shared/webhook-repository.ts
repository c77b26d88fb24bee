import type { WebhookRecord } from '../../domain/webhooks.ts';
import type { WebhookListQuery, WebhookRepository } from '../ports.ts';
import type { Db, WebhooksTable } from './database.ts';
import { insertOrConflict } from './errors.ts';
import { fromJson, toJson, toMillis } from './json.ts';
import { storableText } from './text.ts';

function toWebhook(row: WebhooksTable): WebhookRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    sessionId: row.session_id,
    url: row.url,
    events: fromJson<string[]>(row.events),
    headers: row.headers,
    secret: row.secret,
    enabled: Number(row.enabled) === 1,
    description: row.description,
    createdAt: toMillis(row.created_at),
    updatedAt: toMillis(row.updated_at),
  };
}

export class KyselyWebhookRepository implements WebhookRepository {
  constructor(private readonly db: Db) {}

  async create(webhook: WebhookRecord): Promise<void> {
    await insertOrConflict(`webhook ${webhook.id}`, () =>
      this.db
        .insertInto('webhooks')
        .values({
          id: webhook.id,
          tenant_id: webhook.tenantId,
          session_id: webhook.sessionId,
          url: storableText(webhook.url),
          events: toJson(webhook.events),
          headers: webhook.headers,
          secret: webhook.secret,
          enabled: webhook.enabled ? 1 : 0,
          description: storableText(webhook.description),
          created_at: webhook.createdAt,
          updated_at: webhook.updatedAt,
        })
        .execute(),
    );
  }

  async get(id: string): Promise<WebhookRecord | undefined> {
    const row = await this.db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toWebhook(row) : undefined;
  }

  async list(query: WebhookListQuery): Promise<WebhookRecord[]> {
    let select = this.db.selectFrom('webhooks').selectAll();
    if (query.tenantId === null) select = select.where('tenant_id', 'is', null);
    else if (query.tenantId !== undefined) select = select.where('tenant_id', '=', query.tenantId);
    if (query.sessionId !== undefined) select = select.where('session_id', '=', query.sessionId);
    const rows = await select.orderBy('created_at').orderBy('id').execute();
    return rows.map(toWebhook);
  }

  async listEnabled(): Promise<WebhookRecord[]> {
    const rows = await this.db.selectFrom('webhooks').selectAll().where('enabled', '=', 1).orderBy('id').execute();
    return rows.map(toWebhook);
  }

  async update(
    id: string,
    patch: Partial<Pick<WebhookRecord, 'url' | 'events' | 'headers' | 'secret' | 'enabled' | 'description'>>,
    at: number,
  ): Promise<WebhookRecord | undefined> {
    const values: Partial<WebhooksTable> = { updated_at: at };
    if (patch.url !== undefined) values.url = storableText(patch.url);
    if (patch.events !== undefined) values.events = toJson(patch.events);
    if (patch.headers !== undefined) values.headers = patch.headers;
    if (patch.secret !== undefined) values.secret = patch.secret;
    if (patch.enabled !== undefined) values.enabled = patch.enabled ? 1 : 0;
    if (patch.description !== undefined) values.description = storableText(patch.description);
    const result = await this.db.updateTable('webhooks').set(values).where('id', '=', id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0 ? this.get(id) : undefined;
  }

  async replaceHeaders(id: string, expected: string, next: string): Promise<boolean> {
    const result = await this.db.updateTable('webhooks').set({ headers: next }).where('id', '=', id).where('headers', '=', expected).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
