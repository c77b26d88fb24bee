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
 *
 * Even one enabled instance makes Node 20 run async hooks on every promise and nextTick in the
 * process (≈ 18% of the CPU of an API request). Baileys only needs a store inside its key
 * transactions, so the shared instance is disabled whenever no run() is in progress and enabled
 * again by the next one; outside a run getStore() is undefined either way.
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
  let runsInProgress = 0;
  const finishRun = (): void => {
    runsInProgress -= 1;
    if (runsInProgress === 0) shared.disable();
  };
  /** Runs callback in the shared instance and keeps it enabled until callback's promise (if any) settles. */
  const tracked = <R, A extends unknown[]>(stores: Stores, callback: (...args: A) => R, args: A): R => {
    runsInProgress += 1;
    let result: R;
    try {
      result = shared.run(stores, callback, ...args);
    } catch (error) {
      finishRun();
      throw error;
    }
    if (isThenable(result)) result.then(finishRun, finishRun);
    else finishRun();
    return result;
  };
  activeRunCount = () => runsInProgress;

  class SharedAsyncLocalStorage<T> {
    static bind = Real.bind;
    static snapshot = Real.snapshot;

    getStore(): T | undefined {
      return shared.getStore()?.get(this) as T | undefined;
    }

    run<R, A extends unknown[]>(store: T, callback: (...args: A) => R, ...args: A): R {
      return tracked(withStore(this, store), callback, args);
    }

    exit<R, A extends unknown[]>(callback: (...args: A) => R, ...args: A): R {
      const next = new Map(shared.getStore() ?? []);
      next.delete(this);
      return tracked(next, callback, args);
    }

    enterWith(store: T): void {
      // A store entered without a callback has no end, so the instance stays enabled from here on.
      runsInProgress += 1;
      shared.enterWith(withStore(this, store));
    }

    disable(): void {
      // The shared instance serves every owner; there is nothing of this one's to release.
    }
  }

  // Node 22+ exposes AsyncLocalStorage through a (configurable) getter, so plain assignment throws.
  Object.defineProperty(hooks, 'AsyncLocalStorage', { value: SharedAsyncLocalStorage, writable: true, enumerable: true, configurable: true });
  syncBuiltinESMExports();
}

let activeRunCount = (): number => 0;

/** How many run()/exit() calls are still in progress (the shared instance is enabled while > 0). */
export function sharedContextRunsInProgress(): number {
  return activeRunCount();
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
