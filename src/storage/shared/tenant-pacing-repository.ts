import type { TenantPacingRepository } from '../outbound-ports.ts';
import type { Db } from './database.ts';
import { fromJson, toJson } from './json.ts';
import { ReusableQuery } from './reusable-query.ts';

const pacingOfTenant = new ReusableQuery(['tenantId'], (db: Db, p: { tenantId: string }) =>
  db.selectFrom('tenant_pacing').select('pacing').where('tenant_id', '=', p.tenantId),
);

export class KyselyTenantPacingRepository implements TenantPacingRepository {
  constructor(private readonly db: Db) {}

  async get(tenantId: string): Promise<Record<string, unknown> | undefined> {
    const row = await pacingOfTenant.executeTakeFirst(this.db, { tenantId });
    return row && fromJson<Record<string, unknown>>(row.pacing);
  }

  async set(tenantId: string, pacing: Record<string, unknown>, at: number): Promise<void> {
    await this.db
      .insertInto('tenant_pacing')
      .values({ tenant_id: tenantId, pacing: toJson(pacing), updated_at: at })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ pacing: toJson(pacing), updated_at: at }))
      .execute();
  }
}
