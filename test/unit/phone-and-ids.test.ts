import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePhone } from '../../src/domain/phone.ts';
import { createIdFactory, isSlug } from '../../src/domain/ids.ts';

test('phone numbers: international digits with optional + and separators', () => {
  assert.equal(normalizePhone('+1 (555) 123-4567'), '15551234567');
  assert.equal(normalizePhone('4915112345678'), '4915112345678');
  for (const bad of ['', '123', '+0123456789', 'abc1234567', '1234567890123456', '12345678@s.whatsapp.net']) {
    assert.equal(normalizePhone(bad), undefined, bad);
  }
});

test('slugs', () => {
  assert.ok(isSlug('sales-1'));
  assert.ok(isSlug('a_b'));
  for (const bad of ['', 'Sales', '-x', 'a b', 'a/b', 'x'.repeat(64), '../etc']) assert.equal(isSlug(bad), false, bad);
});

test('ids sort in creation order', () => {
  const next = createIdFactory();
  const ids = Array.from({ length: 100 }, next);
  assert.deepEqual([...ids].sort(), ids);
});
