/** Shared setup for the webhook and event tests: an app with fast retries and loopback allowed. */
import { createTestApp, eventually, type TestApp } from '../helpers/test-app.ts';
import { loadConfig, type Config } from '../../src/config/config.ts';

export const fastWebhooks = (overrides: Partial<Config['webhooks']> = {}): Config['webhooks'] => ({
  ...loadConfig({}).webhooks,
  allowPrivateUrls: true,
  pollMs: 20,
  retryBaseMs: 20,
  retryMaxMs: 100,
  settleMs: 200,
  timeoutMs: 2000,
  ...overrides,
});

export async function webhookApp(overrides: Partial<Config['webhooks']> = {}, config: Partial<Config> = {}): Promise<TestApp> {
  const t = await createTestApp({ webhooks: fastWebhooks(overrides), wsPingMs: 200, ...config });
  await t.wafleet.resume();
  return t;
}

/** A WORKING fake session of the tenant behind `key`. */
export async function workingSession(t: TestApp, key: string, id: string): Promise<void> {
  const created = await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id, engine: 'fake', start: true } });
  if (created.statusCode !== 201) throw new Error(`session create failed: ${created.body}`);
  await eventually(() => t.fake.sessions.get(id), Boolean);
  await eventually(async () => (await t.wafleet.storage.sessions.get(id))?.status, (s) => s === 'SCAN_QR');
  await t.fake.sessions.get(id)!.scan();
  await eventually(async () => (await t.wafleet.storage.sessions.get(id))?.status, (s) => s === 'WORKING');
}

export async function createHook(t: TestApp, key: string, body: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const res = await t.request({ method: 'POST', url: '/v1/webhooks', key, payload: body });
  if (res.statusCode !== 201) throw new Error(`webhook create failed: ${res.body}`);
  return res.json() as { id: string; secret: string };
}

export async function deliveriesOf(t: TestApp, key: string, webhookId: string, query = ''): Promise<Array<Record<string, unknown>>> {
  const res = await t.request({ method: 'GET', url: `/v1/webhooks/${webhookId}/deliveries?limit=1000${query}`, key });
  if (res.statusCode !== 200) throw new Error(`deliveries failed: ${res.body}`);
  return (res.json() as { items: Array<Record<string, unknown>> }).items;
}
