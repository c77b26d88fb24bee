/**
 * Durable commits on SQLite without blocking the event loop: group commit for the WAL.
 *
 * SQLite runs with synchronous=NORMAL, so a commit appends its frames to the WAL and returns without
 * an fsync (under FULL it fsyncs on the main thread: ≈ 0.2 ms per commit here, during which no
 * request, receipt or socket is served, and 4 commits per sent message). Instead, before wafleet
 * tells the outside world about a write (an API answer, a webhook delivery, a WebSocket push), it
 * calls Storage.durable(): the WAL file is fdatasync'd from libuv's thread pool. A sync covers every
 * commit written before it started, so all writes that finished meanwhile share one. What the
 * outside world hears is therefore what synchronous=FULL promises: it survives a power loss. Work
 * that stays inside wafleet (the send queue's next step, a receipt) goes on without waiting.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface WalFile {
  /** Flushes the WAL file's data to the disk (nothing to do while it does not exist yet). */
  datasync(): Promise<void>;
  close(): Promise<void>;
}

export class WalSync {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  /** Commits counted so far, and how many of them a finished sync covers. */
  private committed = 0;
  private flushed = 0;

  constructor(private readonly file: WalFile) {}

  /** Called after each commit (or autocommitted statement) has returned. */
  noteCommit(): void {
    this.committed += 1;
  }

  /** Names the commits noted so far, for durable(mark). */
  mark(): number {
    return this.committed;
  }

  /**
   * Resolves once every commit noted before this call (or before `mark` was taken) is on the disk;
   * at once when those are covered already.
   */
  durable(mark: number = this.committed): Promise<void> {
    return this.flushed >= mark ? Promise.resolve() : this.sync();
  }

  /** Resolves once everything written to the WAL before this call is on the disk. */
  sync(): Promise<void> {
    if (!this.running) return this.start();
    // The sync under way may have started before the caller's commit was written: wait for a new one.
    this.next ??= this.running.then(ignore, ignore).then(() => {
      this.next = undefined;
      return this.start();
    });
    return this.next;
  }

  /** After the connection is closed (SQLite checkpoints and removes the WAL itself). */
  async close(): Promise<void> {
    await Promise.allSettled([this.running, this.next]);
    await this.file.close();
  }

  private start(): Promise<void> {
    const covers = this.committed;
    const run = this.file.datasync().then(() => {
      this.flushed = Math.max(this.flushed, covers);
    });
    void run.finally(() => {
      if (this.running === run) this.running = undefined;
    }).catch(ignore);
    this.running = run;
    return run;
  }
}

function ignore(): void {}

/** The `-wal` file beside `databaseFile`, opened on the first sync and kept open. */
export function walFileOf(databaseFile: string): WalFile {
  const path = `${databaseFile}-wal`;
  let handle: Promise<FileHandle | undefined> | undefined;
  const opened = async (): Promise<FileHandle | undefined> => {
    try {
      const wal = await open(path, 'r');
      // The WAL was created by SQLite after the database file; make its directory entry durable once.
      const directory = await open(dirname(path), 'r');
      await directory.sync().finally(() => directory.close());
      return wal;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  return {
    async datasync() {
      handle ??= opened();
      const wal = await handle.catch((error: unknown) => {
        handle = undefined;
        throw error;
      });
      if (wal) await wal.datasync();
      else handle = undefined; // not created yet: look again next time
    },
    async close() {
      const wal = await handle?.catch(() => undefined);
      handle = undefined;
      await wal?.close();
    },
  };
}
