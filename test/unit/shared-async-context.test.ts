import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installSharedAsyncContext, sharedContextRunsInProgress } from '../../src/engines/baileys/shared-async-context.ts';

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

test('the shared instance is off between runs and works again when the next run starts', async () => {
  installSharedAsyncContext();
  const { AsyncLocalStorage } = await import('node:async_hooks');
  const tx = new AsyncLocalStorage<string>();
  const first = tx.run('first', async () => {
    assert.equal(sharedContextRunsInProgress(), 1);
    await new Promise((resolve) => setTimeout(resolve, 2));
    return tx.getStore();
  });
  assert.equal(await first, 'first');
  await Promise.resolve();
  assert.equal(sharedContextRunsInProgress(), 0, 'no run left in progress');
  assert.equal(tx.getStore(), undefined);

  // Re-enabled: stores survive awaits and timers again, and a failing run is counted out too.
  const again = await tx.run('second', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.resolve();
    return tx.getStore();
  });
  assert.equal(again, 'second');
  await assert.rejects(tx.run('third', async () => {
    await Promise.resolve();
    throw new Error('boom');
  }), /boom/);
  assert.throws(() => tx.run('fourth', () => {
    throw new Error('sync boom');
  }), /sync boom/);
  await Promise.resolve();
  assert.equal(sharedContextRunsInProgress(), 0);
});
