/**
 * Media end to end: one wafleet session sends an image and a document, a second wafleet session
 * receives them, and its API serves the bytes back exactly. Real Baileys upload/download over the
 * sim's HTTPS media host.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '../helpers/test-app.ts';
import { pairByQr, startE2E, type E2E } from './harness.ts';
import { multipartBody } from '../helpers/multipart.ts';

const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

describe('media between two wafleet sessions (real Baileys ↔ sim/ media host)', () => {
  let e: E2E;
  let files: Server;
  let filesUrl: string;
  before(async () => {
    // A file host for media by URL. Private URLs stay refused; only this address is allowed.
    files = createServer((req, res) => {
      if (req.url === '/dot.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG_1PX);
      else if (req.url === '/latest.png') res.writeHead(302, { location: '/dot.png' }).end();
      else if (req.url === '/internal.png') res.writeHead(302, { location: 'http://127.0.0.2/dot.png' }).end();
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    e = await startE2E({ privateUrlAllowlist: ['127.0.0.1'] });
    await pairByQr(e, 'm-alice', '15550400001');
    await pairByQr(e, 'm-bob', '15550400002');
  });
  after(async () => {
    await e.close();
    await new Promise<void>((resolve) => files.close(() => resolve()));
  });

  async function sendAndFetch(payload: Record<string, unknown>): Promise<{ received: any; bytes: Buffer; contentType: string }> {
    const sent = await e.app.request({ method: 'POST', url: '/v1/sessions/m-alice/messages', key: e.key, payload: { to: '15550400002', ...payload } });
    assert.equal(sent.statusCode, 201, sent.body);
    const id = sent.json().id;
    const event = await eventually(() => e.app.events.find((ev) => ev.sessionId === 'm-bob' && ev.type === 'message.received' && ev.payload.id === id), Boolean, 20_000);
    const media = await e.app.request({ method: 'GET', url: `/v1/sessions/m-bob/messages/${id}/media`, key: e.key });
    assert.equal(media.statusCode, 200, media.body);
    return { received: event!.payload, bytes: media.rawPayload, contentType: String(media.headers['content-type']) };
  }

  test('an image arrives and downloads byte-exact, with its caption', async () => {
    const { received, bytes, contentType } = await sendAndFetch({ type: 'image', caption: 'a dot', media: { base64: PNG_1PX.toString('base64'), mimetype: 'image/png' } });
    assert.equal(received.type, 'image');
    assert.equal(received.content.caption, 'a dot');
    assert.equal(received.content.media.mimetype, 'image/png');
    assert.equal(contentType, 'image/png');
    assert.deepEqual(bytes, PNG_1PX);
  });

  test('a 200 kB document arrives and downloads byte-exact, with its file name', async () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(200_000)]);
    const { received, bytes } = await sendAndFetch({ type: 'document', media: { base64: pdf.toString('base64'), mimetype: 'application/pdf', fileName: 'report.pdf' } });
    assert.equal(received.type, 'document');
    assert.equal(received.content.media.fileName, 'report.pdf');
    assert.equal(bytes.length, pdf.length);
    assert.ok(bytes.equals(pdf));
  });

  test('a voice note arrives flagged as push-to-talk', async () => {
    const ogg = Buffer.concat([Buffer.from('OggS'), randomBytes(4000)]);
    const { received, bytes } = await sendAndFetch({ type: 'voice', media: { base64: ogg.toString('base64'), mimetype: 'audio/ogg; codecs=opus' } });
    assert.equal(received.type, 'audio');
    assert.equal(received.content.media.ptt, true);
    assert.ok(bytes.equals(ogg));
  });

  test('a video and a sticker arrive and download byte-exact', async () => {
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), randomBytes(30_000)]);
    const video = await sendAndFetch({ type: 'video', caption: 'clip', media: { base64: mp4.toString('base64'), mimetype: 'video/mp4' } });
    assert.equal(video.received.type, 'video');
    assert.equal(video.received.content.caption, 'clip');
    assert.ok(video.bytes.equals(mp4));
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x20, 0, 0, 0]), Buffer.from('WEBPVP8 '), randomBytes(500)]);
    const sticker = await sendAndFetch({ type: 'sticker', media: { base64: webp.toString('base64'), mimetype: 'image/webp' } });
    assert.equal(sticker.received.type, 'sticker');
    assert.ok(sticker.bytes.equals(webp));
  });

  test('an image by URL, through a redirect, arrives byte-exact; a redirect to an internal address is refused', async () => {
    const { received, bytes } = await sendAndFetch({ type: 'image', caption: 'by url', media: { url: `${filesUrl}/latest.png` } });
    assert.equal(received.content.caption, 'by url');
    assert.equal(received.content.media.mimetype, 'image/png');
    assert.ok(bytes.equals(PNG_1PX));
    const refused = await e.app.request({ method: 'POST', url: '/v1/sessions/m-alice/messages', key: e.key, payload: { to: '15550400002', type: 'image', media: { url: `${filesUrl}/internal.png` } } });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.equal(refused.json().error.code, 'URL_NOT_ALLOWED');
  });

  test('a multipart upload arrives and downloads byte-exact', async () => {
    const csv = Buffer.from('id,name\n1,Ada\n2,Grace\n'.repeat(500));
    const body = multipartBody({ to: '15550400002', type: 'document', caption: 'the list' }, { filename: 'people.csv', mimetype: 'text/csv', data: csv });
    const sent = await e.app.request({ method: 'POST', url: '/v1/sessions/m-alice/messages/upload', key: e.key, payload: body.payload, headers: body.headers });
    assert.equal(sent.statusCode, 201, sent.body);
    const id = sent.json().id;
    const event = await eventually(() => e.app.events.find((ev) => ev.sessionId === 'm-bob' && ev.type === 'message.received' && ev.payload.id === id), Boolean, 20_000);
    assert.equal((event!.payload.content as any).media.fileName, 'people.csv');
    const media = await e.app.request({ method: 'GET', url: `/v1/sessions/m-bob/messages/${id}/media`, key: e.key });
    assert.ok(media.rawPayload.equals(csv));
    assert.match(String(media.headers['content-disposition']), /people\.csv/);
  });

  test('a session-to-session text is a received message with both addresses', async () => {
    const sent = await e.app.request({ method: 'POST', url: '/v1/sessions/m-bob/messages', key: e.key, payload: { to: '15550400001', type: 'text', text: 'got them' } });
    const id = sent.json().id;
    const event = await eventually(() => e.app.events.find((ev) => ev.sessionId === 'm-alice' && ev.type === 'message.received' && ev.payload.id === id), Boolean, 20_000);
    assert.equal((event!.payload.content as { text: string }).text, 'got them');
  });
});
