/**
 * BENCH ONLY preload (with node --expose-gc): a full garbage collection on SIGUSR2, so the benchmark
 * can read RSS and heap after GC as well as "as found" (V8 collects lazily, which makes idle RSS
 * drift by tens of MB between samples). Changes nothing else in the process.
 */
const gc = (globalThis as { gc?: () => void }).gc;
process.on('SIGUSR2', () => {
  gc?.();
  gc?.();
});
