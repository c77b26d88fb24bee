/** Shared plumbing and fixtures for the storage contract cases. */
import { createStorage, type CreateStorageOptions } from '../../../src/storage/create-storage.ts';
import type { ApiKeyRecord, EventRecord, SessionRecord, Tenant } from '../../../src/domain/records.ts';
import type { Storage } from '../../../src/storage/ports.ts';

export interface StorageTarget {
  options: CreateStorageOptions;
  drop(): Promise<void>;
}

export interface StorageContext {
  driver: 'sqlite' | 'postgres';
  newTarget(): Promise<StorageTarget>;
  /** Runs fn on a store over a fresh database, then closes and removes it. */
  withStorage(fn: (storage: Storage, target: StorageTarget) => Promise<void>): Promise<void>;
}

export async function withTarget(
  newTarget: () => Promise<StorageTarget>,
  fn: (storage: Storage, target: StorageTarget) => Promise<void>,
): Promise<void> {
  const target = await newTarget();
  try {
    const storage = await createStorage(target.options);
    try {
      await fn(storage, target);
    } finally {
      await storage.close();
    }
  } finally {
    await target.drop();
  }
}

export function tenant(id: string, overrides: Partial<Tenant> = {}): Tenant {
  return { id, name: `Tenant ${id}`, maxSessions: 5, createdAt: 1_700_000_000_000, ...overrides };
}

export function apiKey(id: string, tenantId: string | null, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id,
    tenantId,
    name: `key ${id}`,
    scopes: ['read', 'send'],
    hash: `hash-${id}`,
    createdAt: 1_700_000_000_000,
    revokedAt: null,
    lastUsedAt: null,
    ...overrides,
  };
}

export function session(id: string, tenantId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id,
    tenantId,
    engine: 'fake',
    status: 'STOPPED',
    statusReason: null,
    desiredState: 'stopped',
    config: { metadata: { team: 'support' }, proxy: 'socks5://proxy:1080', nested: { list: [1, 'two', null] } },
    me: null,
    placement: null,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** 26-char ids that sort like ULIDs: a fixed prefix and a zero-padded counter. */
export function eventId(n: number): string {
  return `01JEVENT${String(n).padStart(18, '0')}`;
}

export function event(n: number, overrides: Partial<EventRecord> = {}): EventRecord {
  return {
    id: eventId(n),
    type: 'session.status',
    tenantId: 'acme',
    sessionId: 's1',
    timestamp: 1_700_000_000_000 + n,
    payload: { n, status: 'WORKING', note: 'üñí€' },
    ...overrides,
  };
}

/** A tenant "acme" with sessions s1 and s2, the usual starting point. */
export async function seed(storage: Storage): Promise<void> {
  await storage.tenants.create(tenant('acme'));
  await storage.sessions.create(session('s1', 'acme'));
  await storage.sessions.create(session('s2', 'acme', { createdAt: 1_700_000_000_001 }));
}

export function buf(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}
