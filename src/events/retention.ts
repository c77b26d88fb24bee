/** Prunes old events (never those a delivery still waits for) and old delivery logs, on a timer. */
import type { Clock } from '../clock.ts';
import type { Logger } from '../logging/logger.ts';
import type { Storage } from '../storage/ports.ts';

export interface RetentionOptions {
  eventsMs: number;
  deliveriesMs: number;
  intervalMs: number;
}

export class Retention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: RetentionOptions,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.options.intervalMs);
    this.timer.unref();
    void this.runOnce();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass; returns what was deleted. Overlapping calls share the pass in progress. */
  runOnce(): Promise<void> {
    this.running ??= (async () => {
      try {
        const now = this.clock.now();
        const deliveries = await this.storage.deliveries.pruneFinishedBefore(now - this.options.deliveriesMs);
        const events = await this.storage.deliveries.pruneEventsBefore(now - this.options.eventsMs);
        if (events + deliveries > 0) this.logger.info({ events, deliveries }, 'pruned old events and delivery logs');
      } catch (error) {
        this.logger.warn({ err: error }, 'retention pass failed');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
