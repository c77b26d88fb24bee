/** The Storage port over any Kysely instance; the driver folders only build the instance. */
import { sql } from 'kysely';
import type { Repositories, Storage } from '../ports.ts';
import type { Db, Dialect } from './database.ts';
import { createRepositories } from './repositories.ts';
import { KyselyClusterRepository } from './cluster-repository.ts';
import { NO_PEERS } from './no-peers.ts';
import type { ClusterBus } from '../cluster-ports.ts';

const EVERY_COMMIT_DURABLE = { durable: () => Promise.resolve(), mark: () => 0 };

export class KyselyStorage implements Storage {
  readonly tenants: Repositories['tenants'];
  readonly tenantDeletions: Repositories['tenantDeletions'];
  readonly apiKeys: Repositories['apiKeys'];
  readonly sessions: Repositories['sessions'];
  readonly events: Repositories['events'];
  readonly authState: Repositories['authState'];
  readonly messages: Repositories['messages'];
  readonly chats: Repositories['chats'];
  readonly contacts: Repositories['contacts'];
  readonly addresses: Repositories['addresses'];
  readonly webhooks: Repositories['webhooks'];
  readonly deliveries: Repositories['deliveries'];
  readonly outbound: Repositories['outbound'];
  readonly idempotency: Repositories['idempotency'];
  readonly bulkJobs: Repositories['bulkJobs'];
  readonly tenantPacing: Repositories['tenantPacing'];
  readonly cluster: Storage['cluster'];
  readonly alerts: Repositories['alerts'];
  readonly users: Repositories['users'];
  readonly refreshTokens: Repositories['refreshTokens'];
  readonly audit: Repositories['audit'];
  readonly analytics: Repositories['analytics'];
  private closed: Promise<void> | undefined;

  /**
   * `flush`: flushes what was committed so far, or up to a mark (SQLite's WAL sync). Without it,
   * every commit is durable when it returns (PostgreSQL with synchronous_commit=on).
   */
  constructor(
    private readonly db: Db,
    readonly driver: Dialect,
    private readonly flush: { durable(mark?: number): Promise<void>; mark(): number } = EVERY_COMMIT_DURABLE,
    readonly bus: ClusterBus = NO_PEERS,
  ) {
    const repos = createRepositories(db, driver);
    this.tenants = repos.tenants;
    this.tenantDeletions = repos.tenantDeletions;
    this.apiKeys = repos.apiKeys;
    this.sessions = repos.sessions;
    this.events = repos.events;
    this.authState = repos.authState;
    this.messages = repos.messages;
    this.chats = repos.chats;
    this.contacts = repos.contacts;
    this.addresses = repos.addresses;
    this.webhooks = repos.webhooks;
    this.deliveries = repos.deliveries;
    this.outbound = repos.outbound;
    this.idempotency = repos.idempotency;
    this.bulkJobs = repos.bulkJobs;
    this.tenantPacing = repos.tenantPacing;
    this.cluster = new KyselyClusterRepository(db, driver);
    this.alerts = repos.alerts;
    this.users = repos.users;
    this.refreshTokens = repos.refreshTokens;
    this.audit = repos.audit;
    this.analytics = repos.analytics;
  }

  /**
   * On SQLite the single connection is held for the whole transaction: calling the root
   * repositories (this.sessions…) from inside fn waits for the transaction and deadlocks.
   * Always use the `repos` argument inside fn.
   */
  transaction<T>(fn: (repos: Repositories) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(createRepositories(trx, this.driver)));
  }

  durable(mark?: number): Promise<void> {
    return this.flush.durable(mark);
  }

  commitMark(): number {
    return this.flush.mark();
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  /** Idempotent: a second close waits for the first. */
  close(): Promise<void> {
    this.closed ??= this.bus.close().then(() => this.db.destroy());
    return this.closed;
  }
}
