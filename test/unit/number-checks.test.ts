/** The per-session "on WhatsApp?" cache: asks once per number within the TTL, sessions apart. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NumberChecks } from '../../src/messages/number-checks.ts';
import type { Clock } from '../../src/clock.ts';
import type { NumberCheck } from '../../src/engines/features.ts';

test('a number is asked about once per TTL and per session; an expired answer is asked again', async () => {
  let now = 1_000;
  const clock = { now: () => now, setTimeout: () => ({ cancel: () => undefined }) } as unknown as Clock;
  const checks = new NumberChecks(clock, 60_000);
  const asked: string[][] = [];
  const lookup = async (phones: string[]): Promise<NumberCheck[]> => {
    asked.push(phones);
    return phones.map((input) => ({ input, exists: input !== '2', jid: `${input}@s.whatsapp.net`, lid: null }));
  };
  assert.deepEqual((await checks.check('s1', ['1', '2'], lookup)).map((c) => c.exists), [true, false]);
  assert.deepEqual((await checks.check('s1', ['2', '3'], lookup)).map((c) => c.exists), [false, true]);
  await checks.check('s2', ['1'], lookup);
  now += 60_000;
  await checks.check('s1', ['1'], lookup);
  assert.deepEqual(asked, [['1', '2'], ['3'], ['1'], ['1']]);

  const uncached = new NumberChecks(clock, 0);
  assert.deepEqual((await uncached.check('s1', ['2'], lookup)).map((c) => c.exists), [false]);
});
