/**
 * Storage contract on PostgreSQL, when WAFLEET_TEST_PG_URL is set. Every test gets a fresh random
 * schema (dropped afterwards), so parallel runs on one database never see each other's rows.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { createStorage } from '../../src/storage/create-storage.ts';
import { dropPostgresSchema } from '../../src/storage/postgres/open-postgres.ts';
import { registerStorageContract } from './storage.contract.ts';

const url = process.env.WAFLEET_TEST_PG_URL;

registerStorageContract({
  driver: 'postgres',
  skip: url ? undefined : 'WAFLEET_TEST_PG_URL not set',
  async newTarget() {
    if (!url) throw new Error('WAFLEET_TEST_PG_URL not set');
    const schema = `wafleet_test_${randomBytes(6).toString('hex')}`;
    return {
      options: { databaseUrl: url, dataDir: '/nonexistent-unused', schema },
      drop: () => dropPostgresSchema(url, schema),
    };
  },
});

describe('postgres options', () => {
  test('a schema name that is not a plain identifier is refused before connecting', async () => {
    const options = { databaseUrl: 'postgres://nobody@127.0.0.1:1/none', dataDir: '/unused', schema: 'x; drop table y' };
    await assert.rejects(createStorage(options), /Invalid PostgreSQL schema name/);
  });
});
