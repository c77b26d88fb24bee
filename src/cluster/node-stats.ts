/** A node's live figures (CPU, memory, event-loop lag, message rates, API latency), sampled every stats interval. */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { NodeStats } from '../domain/cluster.ts';
import type { EventRecord } from '../domain/records.ts';
import type { RequestWindow } from '../metrics/request-window.ts';

export class NodeStatsSampler {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  private cpu = process.cpuUsage();
  private at = performance.now();
  private messagesIn = 0;
  private messagesOut = 0;
  private latest: NodeStats;

  constructor(private readonly requests: RequestWindow) {
    this.loop.enable();
    this.latest = this.measure();
  }

  /** Feed every published event batch (counts messages in and out). */
  observe(events: readonly EventRecord[]): void {
    for (const event of events) {
      if (event.type === 'message.received') this.messagesIn += 1;
      else if (event.type === 'message.sent') this.messagesOut += 1;
    }
  }

  /** The figures of the interval that just ended; the next interval starts now. */
  sample(): NodeStats {
    this.latest = this.measure();
    return this.latest;
  }

  /** The last sample (what the heartbeat reports between samples). */
  current(): NodeStats {
    return this.latest;
  }

  close(): void {
    this.loop.disable();
  }

  private measure(): NodeStats {
    const now = performance.now();
    const elapsedMs = Math.max(1, now - this.at);
    const cpu = process.cpuUsage(this.cpu);
    const perMinute = (count: number) => Math.round((count * 60_000) / elapsedMs);
    const requests = this.requests.take();
    const stats: NodeStats = {
      cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 1000) / 10,
      rssBytes: process.memoryUsage.rss(),
      eventLoopLagMs: Math.round((this.loop.percentile(99) / 1e6) * 100) / 100,
      messagesInPerMin: perMinute(this.messagesIn),
      messagesOutPerMin: perMinute(this.messagesOut),
      apiP95Ms: requests.p95Ms,
      apiP99Ms: requests.p99Ms,
      errorRate: Math.round(requests.errorRate * 10_000) / 10_000,
    };
    this.cpu = process.cpuUsage();
    this.at = now;
    this.messagesIn = 0;
    this.messagesOut = 0;
    this.loop.reset();
    return stats;
  }
}
