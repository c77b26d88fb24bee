import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installSharedAsyncContext } from '../../src/engines/baileys/shared-async-context.ts';

test('after install, AsyncLocalStorage instances keep their own stores across awaits, nesting and exit', async () => {
  installSharedAsyncContext();
  const { AsyncLocalStorage } = await import('node:async_hooks');
  const a = new AsyncLocalStorage<string>();
  const b = new AsyncLocalStorage<number>();
  await a.run('outer', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    assert.equal(a.getStore(), 'outer');
    assert.equal(b.getStore(), undefined);
    await b.run(7, async () => {
      await Promise.resolve();
      assert.deepEqual([a.getStore(), b.getStore()], ['outer', 7]);
      await a.run('inner', async () => {
        await Promise.resolve();
        assert.deepEqual([a.getStore(), b.getStore()], ['inner', 7]);
      });
      assert.equal(a.getStore(), 'outer');
      a.exit(() => assert.deepEqual([a.getStore(), b.getStore()], [undefined, 7]));
    });
    assert.equal(b.getStore(), undefined);
  });
  assert.equal(a.getStore(), undefined);
  // Concurrent contexts stay apart.
  const seen = await Promise.all(['x', 'y'].map((value) => a.run(value, async () => {
    await new Promise((resolve) => setTimeout(resolve, value === 'x' ? 5 : 1));
    return a.getStore();
  })));
  assert.deepEqual(seen, ['x', 'y']);
});
