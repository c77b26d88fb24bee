/** Builds a real wafleet (SQLite in a temp dir, or PostgreSQL) with a drivable fake engine, for app.inject tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { createWafleet, type Wafleet, type WafleetOptions } from '../../src/wafleet.ts';
import { FakeEngine } from '../../src/engines/fake/fake-engine.ts';
import type { EventRecord } from '../../src/domain/records.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestApp {
  wafleet: Wafleet;
  fake: FakeEngine;
  events: EventRecord[];
  dataDir: string;
  request(options: InjectOptions & { key?: string | null }): Promise<LightMyRequestResponse>;
  /** Creates a tenant and returns a key with the given scopes. */
  tenantWithKey(tenant: string, scopes?: string[]): Promise<string>;
  close(): Promise<void>;
}

export async function createTestApp(overrides: Partial<Config> = {}, dataDir?: string, options: Pick<WafleetOptions, 'clock' | 'resolveHost' | 'logger'> = {}): Promise<TestApp> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'wafleet-test-'));
  const config = loadConfig(
    { WAFLEET_ADMIN_KEY: ADMIN_KEY, WAFLEET_MASTER_KEY: randomBytes(32).toString('base64') },
    { dataDir: dir, engineLogLevel: 'silent', reconnect: { baseMs: 5, maxMs: 20, breakerFailures: 3, breakerWindowMs: 60_000 }, resume: { concurrency: 4, staggerMs: 0 }, ...overrides },
  );
  const fake = new FakeEngine();
  const events: EventRecord[] = [];
  const wafleet = await createWafleet(config, {
    engines: [fake],
    onEvents: (batch) => events.push(...batch),
    ...options,
    logger: options.logger ?? createLogger((process.env.WAFLEET_TEST_LOG as 'silent' | undefined) ?? 'silent'),
  });
  await wafleet.app.ready();
  return {
    wafleet,
    fake,
    events,
    dataDir: dir,
    request({ key = ADMIN_KEY, headers, ...options }) {
      return wafleet.app.inject({ ...options, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });
    },
    async tenantWithKey(tenant, scopes = ['read', 'send', 'manage']) {
      const created = await wafleet.app.inject({ method: 'POST', url: '/v1/tenants', headers: { authorization: `Bearer ${ADMIN_KEY}` }, payload: { id: tenant, maxSessions: 5 } });
      if (created.statusCode !== 201 && created.statusCode !== 409) throw new Error(`tenant create failed: ${created.body}`);
      const key = await wafleet.app.inject({ method: 'POST', url: `/v1/tenants/${tenant}/keys`, headers: { authorization: `Bearer ${ADMIN_KEY}` }, payload: { scopes } });
      if (key.statusCode !== 201) throw new Error(`key create failed: ${key.body}`);
      return key.json().key as string;
    },
    async close() {
      await wafleet.close();
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until the check passes (engine events are asynchronous), failing with the last value. */
export async function eventually<T>(read: () => Promise<T> | T, accept: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    last = await read();
  }
  return last;
}
