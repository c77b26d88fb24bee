import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '../../src/errors/codes.ts';

test('docs/errors.md lists every registry code with its HTTP status, and nothing else', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Map<string, number>();
  for (const match of doc.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)) documented.set(match[1]!, Number(match[2]));
  for (const [code, { status }] of Object.entries(ERROR_CODES)) {
    assert.equal(documented.get(code), status, `${code} must be documented with status ${status}`);
  }
  for (const code of documented.keys()) assert.ok(code in ERROR_CODES, `${code} is documented but not in the registry`);
});
