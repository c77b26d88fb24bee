// Baileys' own upload (getWAUploadToServer via prepareWAMessageMedia) and download
// (downloadContentFromMessage) against the simulator media host, in a child process that trusts the
// self-signed certificate through NODE_EXTRA_CA_CERTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { encodeBinaryNode } from 'baileys';
import { startMediaServer, buildMediaConnReply, type MediaServer } from '../../sim/media/index.ts';
import { runBaileysClient } from './helpers.ts';

let dir: string;
let media: MediaServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sim-media-'));
  media = await startMediaServer({ certPath: join(dir, 'ca.pem') });
});
after(async () => {
  await media.close();
  rmSync(dir, { recursive: true, force: true });
});

function mediaConnWire(auth: string): string {
  const iq = { tag: 'iq', attrs: { id: 'q1', type: 'set', xmlns: 'w:m', to: 's.whatsapp.net' }, content: [{ tag: 'media_conn', attrs: {} }] };
  const reply = buildMediaConnReply(iq, { auth, ttl: 3600, hosts: [{ hostname: media.hostname }] });
  return encodeBinaryNode(reply).toString('base64');
}

test('Baileys uploads, then downloads whole and a byte range; bytes are identical', async () => {
  const plain = randomBytes(200_003);
  writeFileSync(join(dir, 'plain.bin'), plain);
  const res = await runBaileysClient(
    { MEDIA_CONN: mediaConnWire(media.issueAuth()), PAYLOAD_FILE: join(dir, 'plain.bin'), MEDIA_TYPE: 'document', START: '70000', END: '70100' },
    join(dir, 'ca.pem'),
  );
  assert.equal(res.error, undefined, res.error);
  assert.equal(res.equal, true);
  assert.equal(res.partEqual, true);
  assert.equal(res.partLength, 100);
  assert.equal(res.fileLength, plain.length);
  assert.ok(res.url.startsWith(`https://${media.hostname}/v/`), res.url);
  assert.ok(res.directPath.startsWith('/v/t62.7118-24/'), res.directPath);
  const s = media.stats();
  assert.equal(s.uploads, 1);
  assert.ok(s.downloads >= 2);
  console.log(`upload ${res.tUpload.toFixed(1)} ms, download ${res.tDownload.toFixed(1)} ms`);
});

test('an upload with an auth the server never issued is rejected and Baileys reports failure', async () => {
  writeFileSync(join(dir, 'small.bin'), randomBytes(1000));
  const res = await runBaileysClient(
    { MEDIA_CONN: mediaConnWire('not-a-real-token'), PAYLOAD_FILE: join(dir, 'small.bin'), MEDIA_TYPE: 'audio' },
    join(dir, 'ca.pem'),
  );
  assert.match(String(res.error), /Media upload failed on all hosts/);
  assert.ok(media.stats().rejected >= 1, 'the server itself refused (not a TLS failure)');
});
