import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizePhone } from '../../src/domain/phone.ts';
import { isSlug } from '../../src/domain/ids.ts';
import { createIdFactory } from '../../src/id-factory.ts';

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

test('ids sort in creation order and never repeat, within and across milliseconds', async () => {
  const next = createIdFactory();
  const ids: string[] = [];
  for (let round = 0; round < 40; round++) {
    for (let i = 0; i < 50; i++) ids.push(next());
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)));
});
