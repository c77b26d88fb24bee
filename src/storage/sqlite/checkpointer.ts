/**
 * WAL checkpoints in a worker thread instead of inside a commit on the main thread.
 *
 * SQLite's automatic checkpoint runs in the connection whose commit pushed the WAL past 1000
 * pages: that commit copies the frames into the database file and fsyncs both files before it
 * returns, a stall of milliseconds on the main thread during which no request, receipt or socket is
 * served (a small insert: 73 µs wall per commit with it, 32 µs without; in the send benchmark 5% of
 * messages had a commit over 1 ms). wafleet turns it off (wal_autocheckpoint=0) and asks a worker
 * thread with its own connection for a PASSIVE checkpoint every `everyCommits` commits, and, once it
 * runs, `quietMs` after the last commit. PASSIVE never waits for the writer. The worker costs ≈ 8 MB RSS.
 *
 * SQLite starts the WAL over only when a checkpoint has copied every frame before the next write.
 * Under a steady stream of writes the worker is always a few frames behind, so the WAL would grow
 * without end: when a checkpoint reports more than `restartFrames` frames, the main thread runs one
 * checkpoint itself (the frames left to copy are few by then), and the next write starts the WAL over.
 *
 * If the worker cannot run, `onUnavailable` is called once and the owner turns SQLite's automatic
 * checkpoint back on: slower commits, nothing lost.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { CHECKPOINT_WORKER_SOURCE, checkpointWorkerData, type CheckpointReply } from './checkpoint-worker.ts';

export interface CheckpointerOptions {
  file: string;
  busyTimeoutMs: number;
  everyCommits?: number;
  quietMs?: number;
  restartFrames?: number;
  /** Runs a checkpoint on the main connection (between transactions); for the restart above. */
  checkpointOnMain: () => Promise<void>;
  /** The worker failed or could not start: checkpoints must run in SQLite again. */
  onUnavailable: (error: Error) => void;
  /** Tests replace the worker's code to see it fail. */
  workerSource?: string;
}

export class WalCheckpointer {
  /** Checkpoints the worker finished; for tests and diagnostics. */
  completed = 0;
  private worker: Worker | undefined;
  private commitsSinceRequest = 0;
  private inFlight = false;
  private requestedAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: CheckpointerOptions) {}

  /** Called after each commit that wrote. */
  noteCommit(): void {
    if (this.stopped) return;
    this.commitsSinceRequest += 1;
    if (this.commitsSinceRequest >= (this.options.everyCommits ?? 100)) this.request();
    // The quiet-time checkpoint only once the worker runs: a process that commits a few times (a CLI
    // command, a test) never starts one, and its close checkpoints the small WAL anyway.
    else if (!this.timer && this.worker) {
      this.timer = setTimeout(() => this.request(), this.options.quietMs ?? 1000);
      this.timer.unref();
    }
  }

  /** Resolves when no checkpoint is asked for or running (tests). */
  idle(): Promise<void> {
    if (!this.inFlight && !this.timer) return Promise.resolve();
    this.timer?.ref(); // someone waits for it now
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the worker and closes its connection (before the main connection closes). */
  async close(): Promise<void> {
    this.stopped = true;
    this.clearTimer();
    const worker = this.worker;
    this.worker = undefined;
    this.settleIdle();
    if (!worker) return;
    const exited = once(worker, 'exit').catch(() => undefined);
    worker.ref(); // wait for its connection to close
    worker.postMessage('close');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 2000).unref());
    if ((await Promise.race([exited, timeout])) === 'timeout') await worker.terminate();
  }

  private request(): void {
    this.clearTimer();
    this.commitsSinceRequest = 0;
    if (this.stopped) return;
    if (this.inFlight) {
      this.requestedAgain = true;
      return;
    }
    this.inFlight = true;
    const worker = this.startedWorker();
    // A checkpoint under way is finished before the process may exit; an idle worker never holds it.
    worker?.ref();
    worker?.postMessage('checkpoint');
  }

  private startedWorker(): Worker | undefined {
    if (this.worker) return this.worker;
    const workerData = checkpointWorkerData(this.options.file, this.options.busyTimeoutMs);
    try {
      this.worker = new Worker(this.options.workerSource ?? CHECKPOINT_WORKER_SOURCE, { eval: true, workerData });
    } catch (error) {
      this.fail(error);
      return undefined;
    }
    // Checkpoints are housekeeping: they must not keep the process alive.
    this.worker.unref();
    this.worker.on('message', (reply: CheckpointReply) => this.onReply(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (!this.stopped) this.fail(new Error(`checkpoint worker exited with code ${code}`));
    });
    return this.worker;
  }

  private onReply(reply: CheckpointReply): void {
    this.worker?.unref();
    if (this.stopped) {
      this.inFlight = false;
      this.settleIdle(); // closing: the main connection is about to go
      return;
    }
    if (!reply.ok) {
      this.fail(new Error(reply.message));
      return;
    }
    this.completed += 1;
    // Still in flight during the catch-up on the main thread: one checkpoint at a time.
    const restart = reply.walFrames > (this.options.restartFrames ?? 4096);
    const next = restart ? this.options.checkpointOnMain().catch((error: unknown) => this.fail(error)) : Promise.resolve();
    void next.then(() => {
      this.inFlight = false;
      if (this.stopped) this.settleIdle();
      else if (this.requestedAgain) {
        this.requestedAgain = false;
        this.request();
      } else if (!this.timer) this.settleIdle();
    });
  }

  private fail(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.inFlight = false;
    this.clearTimer();
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    this.settleIdle();
    this.options.onUnavailable(error instanceof Error ? error : new Error(String(error)));
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private settleIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
