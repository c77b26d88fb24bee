/**
 * BENCH ONLY preload for the compiled wafleet (`node --expose-gc --import ./bench/lib/bench-preload.mjs
 * dist/main.js serve`). Plain JavaScript on purpose: loading tsx for a preload would turn on source-mapped
 * stack traces in the measured process, which production does not have.
 * - A full garbage collection on SIGUSR2, so RSS and heap can be read after GC as well as "as found".
 * - Re-pins Baileys' noise certificate root to the simulator's (WAFLEET_SIM_ROOT_KEY), as
 *   test/helpers/sim-trust-preload.ts does for the tests.
 */
import { WA_CERT_DETAILS } from 'baileys';

process.on('SIGUSR2', () => {
  globalThis.gc?.();
  globalThis.gc?.();
});

const root = process.env.WAFLEET_SIM_ROOT_KEY;
if (root) WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(root, 'hex');
