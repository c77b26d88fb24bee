import type { Tenant, TenantDeletion } from '../../domain/records.ts';
import type { TenantRepository } from '../ports.ts';
import type { Db, TenantsTable } from './database.ts';
import { insertOrConflict } from './errors.ts';
import { fromJson, toMillis } from './json.ts';
import { storableText } from './text.ts';

function toTenant(row: TenantsTable): Tenant {
  const tenant: Tenant = { id: row.id, name: row.name, maxSessions: Number(row.max_sessions), createdAt: toMillis(row.created_at) };
  if (row.deletion !== null) tenant.deletingAt = fromJson<TenantDeletion>(row.deletion).at;
  return tenant;
}

export class KyselyTenantRepository implements TenantRepository {
  constructor(private readonly db: Db) {}

  async create(tenant: Tenant): Promise<void> {
    await insertOrConflict(`tenant "${tenant.id}"`, () =>
      this.db
        .insertInto('tenants')
        .values({ id: tenant.id, name: storableText(tenant.name), max_sessions: tenant.maxSessions, created_at: tenant.createdAt })
        .execute(),
    );
  }

  async get(id: string): Promise<Tenant | undefined> {
    const row = await this.db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toTenant(row);
  }

  async list(): Promise<Tenant[]> {
    const rows = await this.db.selectFrom('tenants').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toTenant);
  }

  async update(id: string, patch: Partial<Pick<Tenant, 'name' | 'maxSessions'>>): Promise<Tenant | undefined> {
    const values: Partial<TenantsTable> = {};
    if (patch.name !== undefined) values.name = storableText(patch.name);
    if (patch.maxSessions !== undefined) values.max_sessions = patch.maxSessions;
    if (Object.keys(values).length > 0) {
      await this.db.updateTable('tenants').set(values).where('id', '=', id).execute();
    }
    return this.get(id);
  }
}
