import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logging/logger.ts';
import { ADMIN_KEY, createTestApp } from '../helpers/test-app.ts';

/** The request lines a logger at `level` writes for a health check, a scrape and an API call. */
async function requestLines(level: 'info' | 'debug'): Promise<Array<{ level: number; msg: string; url?: string }>> {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(...chunk.toString().split('\n').filter(Boolean)); done(); } });
  const t = await createTestApp({}, undefined, { logger: createLogger(level, sink) });
  try {
    for (const url of ['/health', '/ready', '/metrics']) assert.equal((await t.request({ method: 'GET', url, key: null })).statusCode, 200);
    assert.equal((await t.request({ method: 'GET', url: '/v1/tenants', key: ADMIN_KEY })).statusCode, 200);
  } finally {
    await t.close();
  }
  const parsed = lines.map((line) => JSON.parse(line) as { level: number; msg: string; req?: { url: string }; reqId?: string });
  const urlOf = new Map(parsed.filter((entry) => entry.req).map((entry) => [entry.reqId, entry.req!.url]));
  return parsed
    .filter((entry) => entry.msg === 'incoming request' || entry.msg === 'request completed')
    .map((entry) => ({ level: entry.level, msg: entry.msg, url: urlOf.get(entry.reqId) }));
}

test('health checks and scrapes are logged at debug only; API requests stay at info', async () => {
  const atInfo = await requestLines('info');
  assert.deepEqual([...new Set(atInfo.map((line) => line.url))], ['/v1/tenants'], 'only the API call at info');
  assert.equal(atInfo.length, 2, 'its incoming and completed lines');

  const atDebug = await requestLines('debug');
  for (const url of ['/health', '/ready', '/metrics']) {
    const lines = atDebug.filter((line) => line.url === url);
    assert.deepEqual(lines.map((line) => [line.msg, line.level]), [['incoming request', 20], ['request completed', 20]], url);
  }
});
