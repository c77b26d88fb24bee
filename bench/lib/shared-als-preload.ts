/**
 * BENCH ONLY "what if" preload: every `new AsyncLocalStorage()` in the process (Baileys creates one
 * per socket, in addTransactionCapability, and never disables it) shares ONE real instance that
 * holds a Map of stores, so Node 20 propagates one store per async resource instead of one per
 * socket ever created. Same semantics for run/getStore/exit/enterWith. Must load before Baileys.
 *   node --import tsx --import ./bench/lib/shared-als-preload.ts …
 */
import asyncHooks from 'node:async_hooks';
import { syncBuiltinESMExports } from 'node:module';

type Stores = Map<object, unknown>;
const Real = asyncHooks.AsyncLocalStorage;
const shared = new Real<Stores>();

function withStore(owner: object, store: unknown): Stores {
  const next = new Map(shared.getStore() ?? []);
  next.set(owner, store);
  return next;
}

class SharedAsyncLocalStorage<T> {
  static bind = Real.bind;
  static snapshot = Real.snapshot;
  getStore(): T | undefined {
    return shared.getStore()?.get(this) as T | undefined;
  }
  run<R, A extends unknown[]>(store: T, callback: (...args: A) => R, ...args: A): R {
    return shared.run(withStore(this, store), callback, ...args);
  }
  exit<R, A extends unknown[]>(callback: (...args: A) => R, ...args: A): R {
    const next = new Map(shared.getStore() ?? []);
    next.delete(this);
    return shared.run(next, callback, ...args);
  }
  enterWith(store: T): void {
    shared.enterWith(withStore(this, store));
  }
  disable(): void {
    // Nothing to release: the shared instance serves every owner.
  }
}

(asyncHooks as { AsyncLocalStorage: unknown }).AsyncLocalStorage = SharedAsyncLocalStorage;
syncBuiltinESMExports();
