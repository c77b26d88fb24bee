/** Prunes audit rows, analytics rollups and expired refresh tokens past their retention, on a timer. */
import type { Clock } from '../clock.ts';
import type { Logger } from '../logging/logger.ts';
import type { Storage } from '../storage/ports.ts';

export class AccountRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: { auditMs: number; analyticsMs: number; intervalMs: number },
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

  runOnce(): Promise<void> {
    this.running ??= (async () => {
      try {
        const now = this.clock.now();
        const audit = await this.storage.audit.pruneBefore(now - this.options.auditMs);
        const analytics = await this.storage.analytics.pruneBefore(now - this.options.analyticsMs);
        const refreshTokens = await this.storage.refreshTokens.pruneExpiredBefore(now);
        if (audit + analytics + refreshTokens > 0) this.logger.info({ audit, analytics, refreshTokens }, 'pruned old audit rows, analytics and expired refresh tokens');
      } catch (error) {
        this.logger.warn({ err: error }, 'account retention pass failed');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
