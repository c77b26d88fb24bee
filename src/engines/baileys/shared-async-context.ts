/**
 * Baileys creates one AsyncLocalStorage per socket (addTransactionCapability) and never disables
 * it. On Node 20 every enabled instance is propagated on every promise in the process, so the cost
 * of each await grows with the number of sockets ever opened: with 500 sessions, ~160 µs per promise,
 * 17% of a core idle, and a 5× slower API (docs/BENCHMARKS.md, Findings 1).
 *
 * This makes every `new AsyncLocalStorage()` share ONE real instance holding a map of stores, with
 * the same run/getStore/exit/enterWith semantics, so Node propagates one store per async resource.
 * It replaces the class on `node:async_hooks` for the whole process (Baileys binds it at socket
 * creation), which is why it is installed once, from the engine, at composition time.
 * Not needed on Node ≥ 22 with --experimental-async-context-frame (the default on Node 24).
 */
import asyncHooks from 'node:async_hooks';
import { syncBuiltinESMExports } from 'node:module';

type Stores = Map<object, unknown>;
const INSTALLED = Symbol.for('wafleet.shared-async-context');

export function installSharedAsyncContext(): void {
  const hooks = asyncHooks as unknown as { AsyncLocalStorage: typeof asyncHooks.AsyncLocalStorage } & Record<symbol, boolean>;
  if (hooks[INSTALLED]) return;
  hooks[INSTALLED] = true;
  const Real = asyncHooks.AsyncLocalStorage;
  const shared = new Real<Stores>();
  const withStore = (owner: object, store: unknown): Stores => new Map(shared.getStore() ?? []).set(owner, store);

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
      // The shared instance serves every owner; there is nothing of this one's to release.
    }
  }

  hooks.AsyncLocalStorage = SharedAsyncLocalStorage as unknown as typeof asyncHooks.AsyncLocalStorage;
  syncBuiltinESMExports();
}
