// The media host's HTTP contract, in-process with an explicit `ca` (no env needed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startMediaServer, parseRange, type MediaServer } from '../../sim/media/index.ts';
import { httpsRequest } from './helpers.ts';

let media: MediaServer;
before(async () => {
  media = await startMediaServer();
});
after(() => media.close());

const blob = randomBytes(5000);
const token = createHash('sha256').update(blob).digest('base64url');
const uploadUrl = (auth: string, tok = token) =>
  `https://${media.hostname}/mms/image/${tok}?auth=${encodeURIComponent(auth)}&token=${tok}`;

async function upload(): Promise<{ url: string; direct_path: string }> {
  const res = await httpsRequest(uploadUrl(media.issueAuth()), { ca: media.certPem, method: 'POST', body: blob });
  assert.equal(res.status, 200, res.body.toString());
  return JSON.parse(res.body.toString());
}

test('upload answers {url, direct_path}; url = https://host + direct_path', async () => {
  const out = await upload();
  assert.match(out.direct_path, /^\/v\/t62\.7118-24\/[\w-]+\.enc\?ccb=11-4&oh=[\w-]+&oe=[0-9A-F]+&_nc_sid=5e03e0$/);
  assert.equal(out.url, `https://${media.hostname}${out.direct_path}&mms3=true`);
  const again = await upload();
  assert.equal(again.direct_path.split('?')[0], out.direct_path.split('?')[0], 'same bytes, same blob');
});

test('bad, revoked or missing auth → 401; body not matching token → 400', async () => {
  const bad = await httpsRequest(uploadUrl('nope'), { ca: media.certPem, method: 'POST', body: blob });
  assert.equal(bad.status, 401);
  const auth = media.issueAuth();
  media.revokeAuth(auth);
  assert.equal((await httpsRequest(uploadUrl(auth), { ca: media.certPem, method: 'POST', body: blob })).status, 401);
  const missing = `https://${media.hostname}/mms/image/${token}?token=${token}`;
  assert.equal((await httpsRequest(missing, { ca: media.certPem, method: 'POST', body: blob })).status, 401);
  const other = randomBytes(10);
  const mism = await httpsRequest(uploadUrl(media.issueAuth()), { ca: media.certPem, method: 'POST', body: other });
  assert.equal(mism.status, 400);
});

test('download: whole, Range 206, open range, suffix range, 416, HEAD, tampered signature 403', async () => {
  const { url } = await upload();
  const get = (headers?: Record<string, string>, method = 'GET') => httpsRequest(url, { ca: media.certPem, headers, method });
  const whole = await get();
  assert.equal(whole.status, 200);
  assert.ok(whole.body.equals(blob));
  assert.equal(whole.headers['accept-ranges'], 'bytes');
  const part = await get({ Range: 'bytes=16-47' });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-range'], `bytes 16-47/${blob.length}`);
  assert.ok(part.body.equals(blob.subarray(16, 48)));
  const open = await get({ Range: 'bytes=4990-' });
  assert.ok(open.body.equals(blob.subarray(4990)));
  const past = await get({ Range: 'bytes=4990-999999' }); // Baileys may ask past EOF
  assert.equal(past.status, 206);
  assert.ok(past.body.equals(blob.subarray(4990)));
  const suffix = await get({ Range: 'bytes=-10' });
  assert.ok(suffix.body.equals(blob.subarray(-10)));
  const bad = await get({ Range: 'bytes=9000-' });
  assert.equal(bad.status, 416);
  assert.equal(bad.headers['content-range'], `bytes */${blob.length}`);
  const head = await get(undefined, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String(blob.length));
  const tampered = url.replace(/oh=[\w-]+/, 'oh=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  assert.equal((await httpsRequest(tampered, { ca: media.certPem })).status, 403);
  assert.equal((await httpsRequest(`https://${media.hostname}/nothing`, { ca: media.certPem })).status, 404);
});

test('parseRange edge cases', () => {
  assert.equal(parseRange(undefined, 10), null);
  assert.equal(parseRange('bytes=0-1,4-5', 10), null);
  assert.deepEqual(parseRange('bytes=0-0', 10), { start: 0, end: 0 });
  assert.equal(parseRange('bytes=5-2', 10), 'unsatisfiable');
  assert.equal(parseRange('bytes=-0', 10), 'unsatisfiable');
});
