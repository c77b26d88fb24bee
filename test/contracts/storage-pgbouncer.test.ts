/**
 * The storage contract's cases where a pooler could break things — leases and fencing, auth-state
 * batches, the send queue, sessions, webhook claims, events — on PostgreSQL through a real PgBouncer
 * in transaction pooling mode, when WAFLEET_TEST_PG_URL is set and pgbouncer is installed (CI
 * installs it and must run this). No session-level state may leak between statements there: no
 * advisory locks as guards, no SET, no named prepared statements.
 */
import { after, before } from 'node:test';
import { registerStorageContract } from './storage.contract.ts';
import { pgBouncerMissing, startPgBouncer, type RunningPgBouncer } from '../helpers/pgbouncer.ts';

const url = process.env.WAFLEET_TEST_PG_URL;
const missing = url ? pgBouncerMissing() : 'WAFLEET_TEST_PG_URL not set';
if (missing && process.env.CI === 'true' && url) throw new Error(`CI must run the PgBouncer suite: ${missing}`);

let bouncer: RunningPgBouncer | undefined;
before(async () => {
  if (!missing && url) bouncer = await startPgBouncer(url);
});
after(async () => {
  await bouncer?.stop();
});

registerStorageContract({
  driver: 'postgres',
  label: 'postgres through PgBouncer (transaction mode)',
  skip: missing,
  only: ['cluster', 'authState', 'outbound', 'sessions', 'webhooks', 'events'],
  async newTarget() {
    if (!bouncer) throw new Error('PgBouncer is not running');
    const db = await bouncer.newDatabase();
    return {
      // Migrations hold a session-level lock: they go to PostgreSQL itself (WAFLEET_DATABASE_DIRECT_URL).
      options: { databaseUrl: db.pooled, directUrl: db.direct, dataDir: '/nonexistent-unused' },
      drop: db.drop,
    };
  },
});
