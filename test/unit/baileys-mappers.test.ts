import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapDisconnect } from '../../src/engines/baileys/disconnect.ts';
import { reviveArgs, toJsonSafe } from '../../src/engines/baileys/json-safe.ts';

test('Baileys close codes map to what the runtime should do', () => {
  const table: Array<[number | undefined, string, boolean]> = [
    [401, 'logged_out', false],
    [440, 'replaced', false],
    [515, 'restart_required', true],
    [408, 'connection_lost', true],
    [428, 'connection_lost', true],
    [503, 'connection_lost', true],
    [500, 'error', true],
    [403, 'error', false],
    [411, 'error', false],
    [undefined, 'connection_lost', true],
    [599, 'error', true],
  ];
  for (const [status, reason, retryable] of table) {
    assert.deepEqual(mapDisconnect(status), { reason, retryable }, `status ${status}`);
  }
});

test('passthrough values: Buffers travel as base64 both ways, bigints as strings', () => {
  const result = toJsonSafe({ picture: Buffer.from('hello'), size: 10n, nested: [Buffer.from([1, 2])] }) as Record<string, unknown>;
  assert.deepEqual(result, {
    picture: { type: 'Buffer', data: Buffer.from('hello').toString('base64') },
    size: '10',
    nested: [{ type: 'Buffer', data: 'AQI=' }],
  });
  const [revived] = reviveArgs([result.picture]);
  assert.ok(Buffer.isBuffer(revived));
  assert.equal((revived as Buffer).toString(), 'hello');
  assert.equal(toJsonSafe(undefined), null);
});
