import type { Tenant } from '../domain/records.ts';
import type { Storage } from '../storage/ports.ts';
import { StorageConflictError } from '../storage/ports.ts';
import { AppError } from '../errors/app-error.ts';
import type { Clock } from '../clock.ts';

export interface CreateTenantInput {
  id: string;
  name?: string;
  maxSessions?: number;
}

export class TenantService {
  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly defaultMaxSessions: number,
  ) {}

  async create(input: CreateTenantInput): Promise<Tenant> {
    const tenant: Tenant = {
      id: input.id,
      name: input.name ?? input.id,
      maxSessions: input.maxSessions ?? this.defaultMaxSessions,
      createdAt: this.clock.now(),
    };
    try {
      await this.storage.tenants.create(tenant);
    } catch (error) {
      if (error instanceof StorageConflictError) throw new AppError('TENANT_EXISTS', `Tenant "${input.id}" already exists.`);
      throw error;
    }
    return tenant;
  }

  async get(id: string): Promise<Tenant> {
    const tenant = await this.storage.tenants.get(id);
    if (!tenant) throw new AppError('TENANT_NOT_FOUND', `Tenant "${id}" not found.`);
    return tenant;
  }

  list(): Promise<Tenant[]> {
    return this.storage.tenants.list();
  }

  async update(id: string, patch: { name?: string; maxSessions?: number }): Promise<Tenant> {
    const tenant = await this.storage.tenants.update(id, patch);
    if (!tenant) throw new AppError('TENANT_NOT_FOUND', `Tenant "${id}" not found.`);
    return tenant;
  }
}
