/**
 * A start (or a create with start) placed on this node can lose the session to another node's
 * adoption round between the placement and the lease: that node runs it. The caller asked for the
 * session to run, and it does — the call succeeds instead of answering 409 SESSION_ON_OTHER_NODE
 * (seen by bench:failover creating 100 sessions through 3 nodes).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

describe('start placed here while another node takes the lease', () => {
  let t: TestApp;
  let key: string;
  before(async () => {
    t = await createTestApp();
    key = await t.tenantWithKey('acme');
  });
  after(() => t.close());

  test('the start succeeds, the session is marked to run, and this node does not connect it', async () => {
    assert.equal((await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'race', engine: 'fake' } })).statusCode, 201);
    // Another node's adoption round got there first: a live lease assigned to it.
    assert.notEqual(await t.wafleet.storage.cluster.assign('race', 'other-node', { ttlMs: 60_000 }), undefined);

    const started = await t.request({ method: 'POST', url: '/v1/sessions/race/start', key });
    assert.equal(started.statusCode, 200, started.body);
    assert.equal((await t.wafleet.storage.sessions.get('race'))?.desiredState, 'running');
    assert.equal(t.wafleet.manager.runtime('race'), undefined);
    assert.equal(t.fake.sessions.has('race'), false, 'no second connection here');
    assert.equal((await t.wafleet.storage.cluster.get('race', { ttlMs: 60_000 }))?.nodeId, 'other-node');
  });
});
