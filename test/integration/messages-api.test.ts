/** The messaging API over the fake engine: storage, statuses, events and bad input. Real delivery is proven in test/e2e. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createTestApp, eventually, type TestApp } from '../helpers/test-app.ts';
import { multipartBody } from '../helpers/multipart.ts';

const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe('messages API (fake engine)', () => {
  let t: TestApp;
  let key: string;
  let mediaServer: Server;
  let mediaUrl: string;
  before(async () => {
    t = await createTestApp({ media: { maxBytes: 10_000, timeoutMs: 2000, allowPrivateUrls: true } });
    key = await t.tenantWithKey('acme');
    await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'm1', engine: 'fake', start: true } });
    await eventually(() => t.fake.sessions.get('m1'), Boolean);
    await eventually(async () => (await t.wafleet.storage.sessions.get('m1'))?.status, (s) => s === 'SCAN_QR');
    await t.fake.sessions.get('m1')!.scan();
    await eventually(async () => (await t.wafleet.storage.sessions.get('m1'))?.status, (s) => s === 'WORKING');
    mediaServer = createServer((request, response) => {
      if (request.url === '/pic.png') {
        response.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from(PNG_1PX, 'base64'));
      } else if (request.url === '/big') {
        response.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(20_000));
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => mediaServer.listen(0, '127.0.0.1', resolve));
    const address = mediaServer.address();
    mediaUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(async () => {
    await t.close();
    mediaServer.close();
  });

  const send = (payload: object, session = 'm1') => t.request({ method: 'POST', url: `/v1/sessions/${session}/messages`, key, payload });

  test('a text send is stored, announced and moves through receipts to read', async () => {
    const response = await send({ to: '+1 555 000 2222', type: 'text', text: 'hello there' });
    assert.equal(response.statusCode, 201, response.body);
    const message = response.json();
    assert.equal(message.status, 'sent');
    assert.equal(message.chatId, '15550002222@s.whatsapp.net');
    assert.equal(message.content.text, 'hello there');
    const engine = t.fake.sessions.get('m1')!;
    assert.equal(engine.sent.at(-1)?.id, message.id, 'the id given to the engine is the one stored');

    engine.receipt(message.id, message.chatId, 'read');
    engine.receipt(message.id, message.chatId, 'delivered');
    await eventually(async () => (await t.request({ method: 'GET', url: `/v1/sessions/m1/messages/${message.id}`, key })).json().status, (s) => s === 'read');
    const acks = t.events.filter((e) => e.type === 'message.ack' && e.payload.id === message.id);
    assert.deepEqual(acks.map((e) => e.payload.status), ['read'], 'a late delivery receipt does not move read back');
    assert.ok(t.events.some((e) => e.type === 'message.sent' && e.payload.id === message.id));
  });

  test('inbound messages land in history, chats and events', async () => {
    const id = t.fake.sessions.get('m1')!.receive('15550003333@s.whatsapp.net', 'hi from a friend');
    await eventually(() => t.events.find((e) => e.type === 'message.received' && e.payload.id === id), Boolean);
    const history = (await t.request({ method: 'GET', url: '/v1/sessions/m1/messages?chatId=15550003333', key })).json();
    assert.deepEqual(history.items.map((m: { id: string }) => m.id), [id]);
    assert.equal(history.items[0].content.text, 'hi from a friend');
    const chats = (await t.request({ method: 'GET', url: '/v1/sessions/m1/chats', key })).json();
    assert.deepEqual(chats.items.map((c: { chatId: string }) => c.chatId), ['15550003333@s.whatsapp.net', '15550002222@s.whatsapp.net']);
    const read = await t.request({ method: 'POST', url: '/v1/sessions/m1/messages/read', key, payload: { messageIds: [id] } });
    assert.deepEqual(read.json(), { marked: 1 });
  });

  test('media from base64 and from a URL', async () => {
    const fromBase64 = await send({ to: '15550002222', type: 'image', caption: 'dot', media: { base64: PNG_1PX, mimetype: 'image/png' } });
    assert.equal(fromBase64.statusCode, 201, fromBase64.body);
    assert.equal(fromBase64.json().content.media.fileLength, Buffer.from(PNG_1PX, 'base64').length);
    const fromUrl = await send({ to: '15550002222', type: 'document', media: { url: `${mediaUrl}/pic.png`, fileName: 'dot.png' } });
    assert.equal(fromUrl.statusCode, 201, fromUrl.body);
    const sent = t.fake.sessions.get('m1')!.sent.at(-1)!;
    assert.equal(sent.content.type, 'document');
    assert.deepEqual(sent.content.type === 'document' && sent.content.media.data, Buffer.from(PNG_1PX, 'base64'));
  });

  test('multipart upload: the file part and form fields become a media send', async () => {
    const png = Buffer.from(PNG_1PX, 'base64');
    const upload = (fields: Record<string, string>, file?: Parameters<typeof multipartBody>[1]) => {
      const body = multipartBody(fields, file);
      return t.request({ method: 'POST', url: '/v1/sessions/m1/messages/upload', key, payload: body.payload, headers: body.headers });
    };
    const ok = await upload({ to: '15550002222', type: 'image', caption: 'uploaded' }, { filename: 'dot.png', mimetype: 'image/png', data: png });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(ok.json().content.caption, 'uploaded');
    const sent = t.fake.sessions.get('m1')!.sent.at(-1)!;
    assert.ok(sent.content.type === 'image' && sent.content.media.data.equals(png));

    const cases: Array<[Record<string, string>, Parameters<typeof multipartBody>[1], number, string]> = [
      [{ to: '15550002222', type: 'image' }, undefined, 400, 'VALIDATION_FAILED'],
      [{ type: 'image' }, { filename: 'a.png', mimetype: 'image/png', data: png }, 400, 'VALIDATION_FAILED'],
      [{ to: '15550002222', type: 'text' }, { filename: 'a.png', mimetype: 'image/png', data: png }, 400, 'VALIDATION_FAILED'],
      [{ to: '15550002222', colour: 'red' }, { filename: 'a.png', mimetype: 'image/png', data: png }, 400, 'VALIDATION_FAILED'],
      [{ to: '15550002222', type: 'image' }, { filename: 'a.zip', mimetype: 'application/zip', data: png }, 415, 'MEDIA_TYPE_NOT_ALLOWED'],
      [{ to: '15550002222', type: 'document' }, { filename: 'big.bin', mimetype: 'application/octet-stream', data: Buffer.alloc(20_000) }, 413, 'MEDIA_TOO_LARGE'],
    ];
    const sentBefore = t.fake.sessions.get('m1')!.sent.length;
    for (const [fields, file, status, code] of cases) {
      const response = await upload(fields, file);
      assert.equal(response.statusCode, status, `${JSON.stringify(fields)}: ${response.body}`);
      assert.equal(response.json().error.code, code);
    }
    const notMultipart = await t.request({ method: 'POST', url: '/v1/sessions/m1/messages/upload', key, payload: { to: '1' } });
    assert.equal(notMultipart.statusCode, 415);
    assert.equal(t.fake.sessions.get('m1')!.sent.length, sentBefore, 'nothing was sent');
  });

  test('reactions, edits, deletes and replies refer to stored messages', async () => {
    const original = (await send({ to: '15550002222', type: 'text', text: 'first' })).json();
    const reply = await send({ to: '15550002222', type: 'text', text: 'second', replyTo: original.id });
    assert.equal(reply.json().content.quotedId, original.id);
    for (const payload of [
      { type: 'reaction', messageId: original.id, emoji: '👍' },
      { type: 'edit', messageId: original.id, text: 'first (edited)' },
      { type: 'delete', messageId: original.id },
      { type: 'forward', messageId: original.id },
      { type: 'poll', poll: { name: 'Lunch?', options: ['yes', 'no'] } },
      { type: 'location', location: { latitude: 52.52, longitude: 13.405, name: 'Berlin' } },
      { type: 'contact', contacts: [{ name: 'Ada', phone: '+44 20 7946 0000' }] },
    ]) {
      const response = await send({ to: '15550002222', ...payload });
      assert.equal(response.statusCode, 201, `${payload.type}: ${response.body}`);
    }
    const contact = t.fake.sessions.get('m1')!.sent.at(-1)!.content;
    assert.ok(contact.type === 'contact' && contact.contacts[0]!.vcard.includes('waid=442079460000'));
  });

  test('bad input: each a 4xx with a registry code, nothing sent', async () => {
    const engine = t.fake.sessions.get('m1')!;
    const sentBefore = engine.sent.length;
    const cases: Array<[object, number, string]> = [
      [{ to: 'bob', type: 'text', text: 'x' }, 400, 'INVALID_RECIPIENT'],
      [{ to: '15550002222', type: 'text' }, 400, 'VALIDATION_FAILED'],
      [{ to: '15550002222', type: 'fax', text: 'x' }, 400, 'VALIDATION_FAILED'],
      [{ to: '15550002222', type: 'text', text: 'x', font: 'comic' }, 400, 'VALIDATION_FAILED'],
      [{ to: '15550002222', type: 'reaction', messageId: 'NOPE', emoji: '👍' }, 404, 'MESSAGE_NOT_FOUND'],
      [{ to: '15550002222', type: 'image', media: { base64: '!!!', mimetype: 'image/png' } }, 400, 'VALIDATION_FAILED'],
      [{ to: '15550002222', type: 'image', media: { base64: PNG_1PX, mimetype: 'application/zip' } }, 415, 'MEDIA_TYPE_NOT_ALLOWED'],
      [{ to: '15550002222', type: 'image', media: { url: `${mediaUrl}/big` } }, 413, 'MEDIA_TOO_LARGE'],
      [{ to: '15550002222', type: 'image', media: { url: `${mediaUrl}/missing.png` } }, 422, 'MEDIA_FETCH_FAILED'],
      [{ to: '15550002222', type: 'poll', poll: { name: 'q', options: ['a', 'a'] } }, 400, 'VALIDATION_FAILED'],
      [{ to: '15550002222', type: 'contact', contacts: [{ name: 'No number' }] }, 400, 'INVALID_PHONE_NUMBER'],
    ];
    for (const [payload, status, code] of cases) {
      const response = await send(payload);
      assert.equal(response.statusCode, status, `${JSON.stringify(payload)}: ${response.body}`);
      assert.equal(response.json().error.code, code, JSON.stringify(payload));
    }
    assert.equal(engine.sent.length, sentBefore);
  });

  test('a session that is not WORKING refuses sends with 409', async () => {
    await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'idle', engine: 'fake' } });
    const response = await send({ to: '15550002222', type: 'text', text: 'x' }, 'idle');
    assert.equal(response.statusCode, 409);
    assert.equal(response.json().error.code, 'SESSION_NOT_RUNNING');
  });

  test('features the engine lacks answer 501', async () => {
    const response = await t.request({ method: 'GET', url: '/v1/sessions/m1/groups', key });
    assert.equal(response.statusCode, 501);
    assert.equal(response.json().error.code, 'ENGINE_FEATURE_UNSUPPORTED');
  });

  test('number check validates input and answers per number', async () => {
    const bad = await t.request({ method: 'POST', url: '/v1/sessions/m1/contacts/check', key, payload: { phones: ['12'] } });
    assert.equal(bad.json().error.code, 'INVALID_PHONE_NUMBER');
    const ok = await t.request({ method: 'POST', url: '/v1/sessions/m1/contacts/check', key, payload: { phones: ['+1 555 000 2222'] } });
    assert.deepEqual(ok.json().items, [{ input: '15550002222', exists: true, jid: '15550002222@s.whatsapp.net', lid: null }]);
  });
});

describe('media URLs are guarded against SSRF by default', () => {
  test('a loopback media URL is refused unless WAFLEET_ALLOW_PRIVATE_URLS is set', async () => {
    const t = await createTestApp();
    try {
      const key = await t.tenantWithKey('acme');
      await t.request({ method: 'POST', url: '/v1/sessions', key, payload: { id: 'g1', engine: 'fake', start: true } });
      await eventually(() => t.fake.sessions.get('g1'), Boolean);
      await eventually(async () => (await t.wafleet.storage.sessions.get('g1'))?.status, (s) => s === 'SCAN_QR');
      await t.fake.sessions.get('g1')!.scan();
      await eventually(async () => (await t.wafleet.storage.sessions.get('g1'))?.status, (s) => s === 'WORKING');
      for (const url of ['http://127.0.0.1:9/x.png', 'http://169.254.169.254/latest', 'http://[::1]/x', 'http://10.0.0.1/x']) {
        const response = await t.request({ method: 'POST', url: '/v1/sessions/g1/messages', key, payload: { to: '15550002222', type: 'image', media: { url } } });
        assert.equal(response.statusCode, 400, url);
        assert.equal(response.json().error.code, 'URL_NOT_ALLOWED', url);
      }
    } finally {
      await t.close();
    }
  });
});
