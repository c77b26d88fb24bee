/** The pure parts of the outbound pipeline: pacer windows, rule layering, stored payloads, templates. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionPacer } from '../../src/outbound/pacer.ts';
import { resolvePacing, typingMs, type PacingRules } from '../../src/outbound/pacing-rules.ts';
import { parseOutbound, serializeOutbound } from '../../src/outbound/payload.ts';
import { render } from '../../src/outbound/templates.ts';
import { requestHash } from '../../src/outbound/idempotency.ts';

const rules = (overrides: Partial<PacingRules> = {}): PacingRules => ({
  perMinute: 0, newContactsPerDay: 0, minGapMs: 0, jitterMs: 0, typing: false, typingMsPerChar: 50, typingMaxMs: 5000, ...overrides,
});

test('per minute: the (N+1)-th send waits until the oldest of the last N is a minute old', () => {
  const pacer = new SessionPacer();
  const r = rules({ perMinute: 3 });
  for (const at of [0, 10, 20]) {
    assert.equal(pacer.earliest(at, r, false), at);
    pacer.record(at, false);
  }
  assert.equal(pacer.earliest(30, r, false), 60_000);
  pacer.record(60_000, false);
  assert.equal(pacer.earliest(60_000, r, false), 60_010);
  assert.equal(pacer.estimate(60_000, r, 4), 120_010, 'from now: 60010, 60020, 120000, 120010');
});

test('minimum gap plus jitter, and new contacts per day', () => {
  const pacer = new SessionPacer();
  const r = rules({ minGapMs: 1000, jitterMs: 2000, newContactsPerDay: 2 });
  pacer.record(0, true);
  assert.equal(pacer.earliest(0, r, false, 0), 1000);
  assert.equal(pacer.earliest(0, r, false, 0.5), 2000);
  pacer.record(2000, true);
  assert.equal(pacer.earliest(3000, r, false, 0), 3000, 'known contacts are not held by the daily limit');
  assert.equal(pacer.earliest(3000, r, true, 0), 86_400_000, 'the third new contact waits for the day window');
});

test('rules: defaults ← tenant ← session, field by field; bad values ignored; typing scaled and capped', () => {
  const resolved = resolvePacing(rules({ perMinute: 60 }), { pacing: { minGapMs: 500, perMinute: 'x' } }, { perMinute: 10, typing: true, jitterMs: -1 });
  assert.deepEqual([resolved.perMinute, resolved.minGapMs, resolved.typing, resolved.jitterMs], [10, 500, true, 0]);
  assert.equal(typingMs(rules({ typing: true, typingMsPerChar: 100, typingMaxMs: 1500 }), 12), 1200);
  assert.equal(typingMs(rules({ typing: true, typingMsPerChar: 100, typingMaxMs: 1500 }), 100), 1500);
  assert.equal(typingMs(rules(), 100), 0);
});

test('stored payload: media bytes survive as base64; other content unchanged', () => {
  const data = Buffer.from([0, 1, 2, 250, 255]);
  const message = { to: 'a@s.whatsapp.net', id: 'ID1', content: { type: 'image' as const, media: { data, mimetype: 'image/png' }, caption: 'c' } };
  const parsed = parseOutbound(serializeOutbound(message));
  assert.deepEqual(parsed, message);
  assert.ok(Buffer.isBuffer(parsed.content.type === 'image' && parsed.content.media.data));
  const text = { to: 'a@s.whatsapp.net', id: 'ID2', content: { type: 'text' as const, text: 'hi' } };
  assert.deepEqual(parseOutbound(serializeOutbound(text)), text);
});

test('templates and request hashes', () => {
  assert.equal(render('Hi {{name}}, {{ name }}!', { name: 'Ann' }, 'f'), 'Hi Ann, Ann!');
  assert.throws(() => render('Hi {{nick}}', { name: 'Ann' }, 'body.recipients.0'), /nick/);
  assert.equal(requestHash('send', 's', { a: 1, b: [1, { c: 2, d: undefined }] }), requestHash('send', 's', { b: [1, { c: 2 }], a: 1 }));
  assert.notEqual(requestHash('send', 's', { a: 1 }), requestHash('send', 's2', { a: 1 }));
});
