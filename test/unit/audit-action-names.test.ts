import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveAction, deriveResource } from '../../src/audit/action-names.ts';

test('audit actions are named from the route: resource.verb', () => {
  const cases: Array<[string, string, string]> = [
    ['POST', '/v1/sessions', 'session.create'],
    ['PATCH', '/v1/sessions/:id', 'session.update'],
    ['DELETE', '/v1/sessions/:id', 'session.delete'],
    ['POST', '/v1/sessions/:id/start', 'session.start'],
    ['POST', '/v1/sessions/:id/logout', 'session.logout'],
    ['POST', '/v1/sessions/:id/pairing-code', 'session.pairing-code'],
    ['POST', '/v1/bulk/sessions', 'session.bulk'],
    ['POST', '/v1/tenants/:tenant/keys', 'key.create'],
    ['PUT', '/v1/tenants/:tenant/pacing', 'tenant.pacing.update'],
    ['POST', '/v1/webhooks', 'webhook.create'],
    ['DELETE', '/v1/webhooks/:id', 'webhook.delete'],
    ['POST', '/v1/webhooks/dead-letters/retry', 'dead-letter.retry'],
    ['POST', '/v1/webhooks/:id/deliveries/:deliveryId/redeliver', 'delivery.redeliver'],
    ['POST', '/v1/users/:id/disable', 'user.disable'],
    ['POST', '/v1/sessions/:id/groups/:groupId/leave', 'group.leave'],
    ['POST', '/v1/sessions/:id/engine/:method', 'engine.call'],
    // Routes other branches add are named the same way, with no list to keep up to date.
    ['POST', '/v1/nodes/:id/drain', 'node.drain'],
    ['POST', '/v1/sessions/:id/move', 'session.move'],
  ];
  for (const [method, url, action] of cases) assert.equal(deriveAction(method, url), action, `${method} ${url}`);
});

test('audit resources are the route filled in, cut after its last parameter, plus the id a create made', () => {
  assert.equal(deriveResource('/v1/sessions/:id/start', { id: 'sales' }, undefined), 'sessions/sales');
  assert.equal(deriveResource('/v1/sessions', {}, 'sales'), 'sessions/sales');
  assert.equal(deriveResource('/v1/sessions/:id/messages', { id: 'sales' }, '3EB0AB'), 'sessions/sales/messages/3EB0AB');
  assert.equal(deriveResource('/v1/tenants/:tenant/keys', { tenant: 'acme' }, 'k1'), 'tenants/acme/keys/k1');
  assert.equal(deriveResource('/v1/webhooks/:id/deliveries/:deliveryId/redeliver', { id: 'w1', deliveryId: 'd1' }, undefined), 'webhooks/w1/deliveries/d1');
  assert.equal(deriveResource('/v1/webhooks/dead-letters/retry', {}, undefined), 'webhooks/dead-letters');
});
