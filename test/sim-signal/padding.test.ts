import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unpadRandomMax16 as baileysUnpad, writeRandomPadMax16 as baileysPad } from 'baileys';
import { padRandomMax16, unpadRandomMax16 } from '../../sim/signal/index.ts';

test('padding round-trips and matches Baileys in both directions', () => {
  const lengths = new Set<number>();
  for (let size = 0; size < 300; size++) {
    const plain = Buffer.alloc(size, size % 251);
    const padded = padRandomMax16(plain);
    const padLength = padded.length - size;
    lengths.add(padLength);
    assert.ok(padLength >= 1 && padLength <= 16);
    assert.deepEqual(Buffer.from(unpadRandomMax16(padded)), plain);
    assert.deepEqual(Buffer.from(baileysUnpad(padded)), plain);
    assert.deepEqual(Buffer.from(unpadRandomMax16(baileysPad(plain))), plain);
  }
  assert.ok(lengths.size > 8, 'pad length is random');
});

test('unpad rejects empty input and impossible pad bytes', () => {
  assert.throws(() => unpadRandomMax16(new Uint8Array()));
  assert.throws(() => unpadRandomMax16(Uint8Array.from([1, 2, 0])));
  assert.throws(() => unpadRandomMax16(Uint8Array.from([17])));
});
