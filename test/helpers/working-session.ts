/** A fake-engine session created through the API and "scanned" until WORKING. */
import assert from 'node:assert/strict';
import { eventually, type TestApp } from './test-app.ts';

export async function workingSession(t: TestApp, key: string, id: string, config: object = {}): Promise<void> {
  const created = await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id, engine: 'fake', start: true, config } });
  assert.equal(created.statusCode, 201, created.body);
  await eventually(async () => (await t.wafleet.storage.sessions.get(id))?.status, (s) => s === 'SCAN_QR');
  await t.fake.sessions.get(id)!.scan();
  await eventually(async () => (await t.wafleet.storage.sessions.get(id))?.status, (s) => s === 'WORKING');
}
