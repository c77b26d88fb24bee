import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canTransition, isActive, SESSION_STATUSES, type SessionStatus } from '../../src/domain/session.ts';

test('the happy path STOPPED → STARTING → SCAN_QR → WORKING ⇄ RECONNECTING is allowed', () => {
  const path: SessionStatus[] = ['STOPPED', 'STARTING', 'SCAN_QR', 'WORKING', 'RECONNECTING', 'WORKING', 'STOPPED'];
  for (let i = 1; i < path.length; i++) assert.ok(canTransition(path[i - 1]!, path[i]!), `${path[i - 1]} → ${path[i]}`);
});

test('after a scan the session reconnects and logs in: SCAN_QR → STARTING → WORKING', () => {
  assert.ok(canTransition('SCAN_QR', 'STARTING'));
  assert.ok(canTransition('STARTING', 'WORKING'));
});

test('terminal states only restart or stop', () => {
  for (const from of ['FAILED', 'LOGGED_OUT'] as const) {
    for (const to of SESSION_STATUSES) {
      assert.equal(canTransition(from, to), to === 'STARTING' || to === 'STOPPED', `${from} → ${to}`);
    }
  }
});

test('a stopped session cannot claim to be working without starting', () => {
  assert.equal(canTransition('STOPPED', 'WORKING'), false);
  assert.equal(canTransition('STOPPED', 'SCAN_QR'), false);
  assert.equal(canTransition('WORKING', 'SCAN_QR'), false);
});

test('active statuses are the connecting and connected ones', () => {
  assert.deepEqual(SESSION_STATUSES.filter(isActive), ['STARTING', 'SCAN_QR', 'WORKING', 'RECONNECTING']);
});
