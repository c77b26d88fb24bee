/** An API answer about a write goes out only once the write would survive a power loss (Storage.durable). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp } from '../helpers/test-app.ts';

test('a write is answered after the store says it is durable; a read does not wait', async () => {
  const app = await createTestApp();
  const storage = app.wafleet.storage;
  const original = storage.durable.bind(storage);
  try {
    let open: () => void = () => undefined;
    let calls = 0;
    storage.durable = () => {
      calls += 1;
      return new Promise<void>((resolve) => (open = resolve));
    };

    let answered = false;
    const creating = app.request({ method: 'POST', url: '/v1/tenants', payload: { id: 'acme', maxSessions: 3 } }).then((response) => {
      answered = true;
      return response;
    });
    for (let i = 0; i < 50 && calls === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(calls, 1, 'the answer asked for durability');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(answered, false, 'no answer before the flush');
    open();
    assert.equal((await creating).statusCode, 201);

    const read = await app.request({ method: 'GET', url: '/v1/tenants/acme' });
    assert.equal(read.statusCode, 200);
    assert.equal(calls, 1, 'a read is answered without a flush');
  } finally {
    storage.durable = original;
    await app.close();
  }
});
