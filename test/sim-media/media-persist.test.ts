// Blobs mirrored to a directory survive a restart (links stay valid); the certificate can be reused so
// a process started with NODE_EXTRA_CA_CERTS keeps trusting the new server; without the CA, Baileys fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { encodeBinaryNode } from 'baileys';
import { buildMediaConnReply, createMediaCert, startMediaServer } from '../../sim/media/index.ts';
import { httpsRequest, runBaileysClient } from './helpers.ts';

test('restart on the same dir and cert: old download links still work', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-media-'));
  try {
    const cert = await createMediaCert(join(dir, 'ca.pem'));
    const first = await startMediaServer({ cert, dir: join(dir, 'blobs') });
    const blob = randomBytes(777);
    const tok = createHash('sha256').update(blob).digest('base64url');
    const up = await httpsRequest(`https://${first.hostname}/mms/video/${tok}?auth=${encodeURIComponent(first.issueAuth())}&token=${tok}`, {
      ca: cert.cert,
      method: 'POST',
      body: blob,
    });
    const { direct_path } = JSON.parse(up.body.toString());
    await first.close();
    const second = await startMediaServer({ cert, dir: join(dir, 'blobs') });
    try {
      const res = await httpsRequest(`https://${second.hostname}${direct_path}`, { ca: cert.cert });
      assert.equal(res.status, 200);
      assert.ok(res.body.equals(blob));
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a Baileys process that does not trust the certificate cannot upload (no insecure fallback)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-media-'));
  const media = await startMediaServer();
  try {
    writeFileSync(join(dir, 'p.bin'), randomBytes(100));
    const iq = { tag: 'iq', attrs: { id: 'x', type: 'set', xmlns: 'w:m' }, content: [{ tag: 'media_conn', attrs: {} }] };
    const reply = buildMediaConnReply(iq, { auth: media.issueAuth(), ttl: 60, hosts: [{ hostname: media.hostname }] });
    // another process's unrelated PEM as the "extra CA": not our cert
    const other = await createMediaCert(join(dir, 'other.pem'));
    assert.ok(other.cert !== media.certPem);
    const res = await runBaileysClient(
      { MEDIA_CONN: encodeBinaryNode(reply).toString('base64'), PAYLOAD_FILE: join(dir, 'p.bin'), MEDIA_TYPE: 'document' },
      join(dir, 'other.pem'),
    );
    assert.match(String(res.error), /Media upload failed on all hosts/);
    assert.equal(media.stats().uploads, 0);
  } finally {
    await media.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
