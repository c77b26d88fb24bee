/**
 * Starts the sessions placed on this node at a bounded rate: at most `concurrency` connects under
 * way, each worker pausing `staggerMs` after a start. After a restart or a failover a node may be
 * handed hundreds of sessions at once; WhatsApp sees them come back gently, not as a storm.
 */
export interface SessionStarterDeps {
  concurrency: number;
  staggerMs: number;
  start(sessionId: string): Promise<void>;
  onError(sessionId: string, error: unknown): void;
}

export class SessionStarter {
  private readonly queue: string[] = [];
  private readonly waiting = new Set<string>();
  private readonly starting = new Set<string>();
  private workers = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly deps: SessionStarterDeps) {}

  /** Queues a start unless one is queued or under way. */
  enqueue(sessionId: string): void {
    if (this.closed || this.waiting.has(sessionId) || this.starting.has(sessionId)) return;
    this.waiting.add(sessionId);
    this.queue.push(sessionId);
    while (this.workers < this.deps.concurrency && this.workers < this.queue.length) {
      this.workers += 1;
      void this.work();
    }
  }

  /** Queued or starting. */
  has(sessionId: string): boolean {
    return this.waiting.has(sessionId) || this.starting.has(sessionId);
  }

  get size(): number {
    return this.waiting.size + this.starting.size;
  }

  /** Resolves when nothing is queued or starting. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.waiting.clear();
  }

  private async work(): Promise<void> {
    try {
      for (let next = this.queue.shift(); next !== undefined && !this.closed; next = this.queue.shift()) {
        this.waiting.delete(next);
        this.starting.add(next);
        try {
          await this.deps.start(next);
        } catch (error) {
          this.deps.onError(next, error);
        } finally {
          this.starting.delete(next);
        }
        if (this.deps.staggerMs > 0 && this.queue.length > 0) await new Promise((resolve) => setTimeout(resolve, this.deps.staggerMs));
      }
    } finally {
      this.workers -= 1;
      if (this.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
