import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordPipeline } from '../../src/outbound/record-pipeline.ts';

function gate(): { open(): void; wait: Promise<void> } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { open, wait };
}

test('record pipeline: records are written one after another in the order given, while the caller goes on', async () => {
  const pipeline = new RecordPipeline(4);
  const order: string[] = [];
  const first = gate();
  await pipeline.add('01A', async () => {
    await first.wait;
    order.push('A');
  });
  await pipeline.add('01B', async () => {
    order.push('B');
  });
  assert.deepEqual(order, [], 'the caller did not wait for either');
  assert.equal(pipeline.after, '01B', 'the queue is read past the newest record being written');
  first.open();
  await pipeline.settled();
  assert.deepEqual(order, ['A', 'B'], 'B waited for A');
  assert.equal(pipeline.after, undefined, 'nothing being written: read the queue from its head');
  pipeline.check();
});

test('record pipeline: waits when the limit is reached', async () => {
  const pipeline = new RecordPipeline(2);
  const slow = gate();
  await pipeline.add('01A', () => slow.wait);
  let returned = false;
  const second = pipeline.add('01B', async () => undefined).then(() => (returned = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(returned, false, 'two unwritten records: the caller waits');
  slow.open();
  await second;
  assert.equal(returned, true);
});

test('record pipeline: after a failed record the later ones are abandoned, not written out of order; check() keeps failing', async () => {
  const pipeline = new RecordPipeline(4);
  const calls: Array<[string, boolean]> = [];
  await pipeline.add('01A', async () => {
    throw new Error('store down');
  });
  await pipeline.add('01B', async (abandoned) => {
    calls.push(['B', abandoned]);
  });
  await pipeline.settled();
  assert.deepEqual(calls, [['B', true]], 'B is told to give up, so it can release what it holds');
  assert.throws(() => pipeline.check(), /store down/);
  assert.throws(() => pipeline.check(), /store down/, 'the pipeline stays failed');
  await pipeline.add('01C', async (abandoned) => {
    calls.push(['C', abandoned]);
  });
  await pipeline.settled();
  assert.deepEqual(calls.at(-1), ['C', true]);
});
