/**
 * ClusterBus over LISTEN/NOTIFY. LISTEN holds a session on one server connection, which a pooler in
 * transaction mode (PgBouncer) cannot give, so the listener connects to the direct URL
 * (WAFLEET_DATABASE_DIRECT_URL, else DATABASE_URL). NOTIFY is a plain statement and may go through
 * the pool. A lost listener reconnects with backoff; messages sent meanwhile are simply missed.
 */
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { ClusterBus, ClusterMessage } from '../cluster-ports.ts';
import type { Database } from '../shared/database.ts';

const CHANNEL = 'wafleet_cluster';
/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_PAYLOAD = 7500;

export interface PgBusOptions {
  db: Kysely<Database>;
  listenUrl: string;
  /** The schema, so clusters sharing a database in different schemas do not hear each other. */
  scope: string;
  onError?: (error: Error) => void;
}

export class PgBus implements ClusterBus {
  readonly enabled = true;
  private client: pg.Client | undefined;
  private closed = false;
  private retryMs = 500;

  constructor(private readonly options: PgBusOptions) {}

  get listening(): boolean {
    return this.client !== undefined;
  }

  async notify(message: ClusterMessage): Promise<void> {
    for (const payload of this.payloads(message)) {
      await sql`select pg_notify(${CHANNEL}, ${payload})`.execute(this.options.db);
    }
  }

  async listen(onMessage: (message: ClusterMessage) => void): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.options.listenUrl });
    client.on('notification', (note) => {
      if (note.channel !== CHANNEL || !note.payload) return;
      const at = note.payload.indexOf('|');
      if (note.payload.slice(0, at) !== this.options.scope) return;
      try {
        onMessage(JSON.parse(note.payload.slice(at + 1)) as ClusterMessage);
      } catch (error) {
        this.options.onError?.(error as Error);
      }
    });
    client.on('error', (error) => {
      this.options.onError?.(error);
      this.reconnect(client, onMessage);
    });
    client.on('end', () => this.reconnect(client, onMessage));
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
      this.client = client;
      this.retryMs = 500;
    } catch (error) {
      this.options.onError?.(error as Error);
      this.reconnect(client, onMessage);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private reconnect(client: pg.Client, onMessage: (message: ClusterMessage) => void): void {
    if (this.closed || (this.client !== undefined && this.client !== client)) return;
    this.client = undefined;
    client.removeAllListeners();
    client.end().catch(() => undefined);
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
    setTimeout(() => void this.listen(onMessage), delay).unref();
  }

  /** An events message too long for one NOTIFY goes as several. */
  private payloads(message: ClusterMessage): string[] {
    const text = `${this.options.scope}|${JSON.stringify(message)}`;
    if (text.length <= MAX_PAYLOAD || message.kind !== 'events') return [text];
    const half = Math.ceil(message.ids.length / 2);
    return [
      ...this.payloads({ ...message, ids: message.ids.slice(0, half) }),
      ...this.payloads({ ...message, ids: message.ids.slice(half) }),
    ];
  }
}
