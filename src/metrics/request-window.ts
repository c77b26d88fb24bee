/**
 * API latency and error share over the last stats interval, for a node's live stats. A bounded
 * sample (reservoir) keeps the cost constant however many requests arrive.
 */
const SAMPLE_SIZE = 2048;

export interface RequestWindowSummary {
  count: number;
  p95Ms: number | null;
  p99Ms: number | null;
  /** Share of answers that were 5xx (0..1). */
  errorRate: number;
}

export class RequestWindow {
  private sample: number[] = [];
  private seen = 0;
  private errors = 0;

  observe(durationMs: number, statusCode: number): void {
    this.seen += 1;
    if (statusCode >= 500) this.errors += 1;
    if (this.sample.length < SAMPLE_SIZE) this.sample.push(durationMs);
    else {
      const slot = Math.floor(Math.random() * this.seen);
      if (slot < SAMPLE_SIZE) this.sample[slot] = durationMs;
    }
  }

  /** The window so far, and a fresh one from now. */
  take(): RequestWindowSummary {
    const sorted = this.sample.sort((a, b) => a - b);
    const at = (q: number) => (sorted.length === 0 ? null : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 100) / 100);
    const summary = { count: this.seen, p95Ms: at(0.95), p99Ms: at(0.99), errorRate: this.seen === 0 ? 0 : this.errors / this.seen };
    this.sample = [];
    this.seen = 0;
    this.errors = 0;
    return summary;
  }
}
