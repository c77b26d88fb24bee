/**
 * One session's "sent" records still being written, so the next message need not wait for them.
 * Recording a send is a transaction of four statements; on PostgreSQL each is a round trip, and a
 * session sending one message at a time spent most of each cycle waiting for them. The worker now
 * hands the record here and goes on with the next message, reading the queue past the newest
 * message still being recorded (its row leaves the queue with the record).
 *
 * Records are written one after another, in the order the messages went out, so their events
 * (`message.sent`) are committed and published in that order, as before. Once one fails, the ones
 * behind it are abandoned rather than written out of order, and check() reports the failure: the
 * worker stops, and those messages, still queued, go again under the same ids — the same as when
 * the process dies between send and record.
 */
export type RecordWrite = (abandoned: boolean) => Promise<void>;

export class RecordPipeline {
  private readonly pending = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;
  private newestSeq: string | undefined;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly limit: number) {}

  /** The queue position to read past, while a record is still being written; else undefined. */
  get after(): string | undefined {
    return this.pending.size > 0 ? this.newestSeq : undefined;
  }

  get size(): number {
    return this.pending.size;
  }

  /**
   * Queues a record behind the ones before it; waits only while `limit` records are unwritten.
   * `write` is called with abandoned = true, to release what it holds, when an earlier one failed.
   */
  async add(seq: string, write: RecordWrite): Promise<void> {
    this.newestSeq = seq;
    const written: Promise<void> = this.tail
      .then(() => write(this.failure !== undefined))
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.pending.delete(written));
    this.pending.add(written);
    this.tail = written;
    while (this.pending.size >= this.limit) await Promise.race(this.pending);
  }

  /** Throws once a record has failed (and from then on: the pipeline is done). */
  check(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Waits for every record being written (never throws: see check()). */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
  }
}
