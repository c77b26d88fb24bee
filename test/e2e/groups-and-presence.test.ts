/** Groups, presence, number checks and profile through the API, real Baileys ↔ sim/. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/test-app.ts';
import { pairByQr, startE2E, type E2E } from './harness.ts';

const ALICE = '15550500001';
const BOB = '15550500002';
const CAROL = '15550500003';

describe('groups, presence and contacts (real Baileys ↔ sim/)', () => {
  let e: E2E;
  let groupId: string;
  const api = (method: string, url: string, payload?: object) =>
    e.app.request({ method: method as 'GET', url, key: e.key, ...(payload ? { payload } : {}) });
  before(async () => {
    e = await startE2E({ engineAllowlist: ['fetchBlocklist'] });
    await pairByQr(e, 'g-alice', ALICE);
    await pairByQr(e, 'g-bob', BOB);
    await pairByQr(e, 'g-carol', CAROL);
  });
  after(() => e.close());

  test('create a group; the other member sees it and receives its messages', async () => {
    const created = await api('POST', '/v1/sessions/g-alice/groups', { subject: 'Project X', participants: [BOB] });
    assert.equal(created.statusCode, 201, created.body);
    groupId = created.json().id;
    assert.match(groupId, /@g\.us$/);
    assert.equal(created.json().subject, 'Project X');
    const bobsGroups = await eventually(async () => (await api('GET', '/v1/sessions/g-bob/groups')).json().items ?? [], (items: any[]) => items.some((g) => g.id === groupId), 15_000);
    assert.ok(bobsGroups.length >= 1);

    const sent = await api('POST', '/v1/sessions/g-alice/messages', { to: groupId, type: 'text', text: 'hello group' });
    assert.equal(sent.statusCode, 201, sent.body);
    const event = await eventually(() => e.app.events.find((ev) => ev.sessionId === 'g-bob' && ev.type === 'message.received' && ev.payload.id === sent.json().id), Boolean, 20_000);
    assert.equal(event!.payload.chatId, groupId);
    assert.equal((event!.payload.content as { text: string }).text, 'hello group');
    // The group stanza names the author by LID with participant_pn beside it: filed under the phone JID.
    const aliceLid = (await api('GET', '/v1/sessions/g-alice')).json().me.lid;
    assert.deepEqual([event!.payload.senderId, event!.payload.senderAltId], [`${ALICE}@s.whatsapp.net`, aliceLid]);
    const contacts = (await api('GET', '/v1/sessions/g-bob/contacts')).json().items.filter((c: { id: string; lid: string | null }) => c.lid === aliceLid || c.id === aliceLid);
    assert.deepEqual(contacts.map((c: { id: string; phoneJid: string }) => [c.id, c.phoneJid]), [[`${ALICE}@s.whatsapp.net`, `${ALICE}@s.whatsapp.net`]], 'one contact for the author, with both addresses');
  });

  test('participants: add, promote, demote, remove — and group.participants events', async () => {
    const add = await api('POST', `/v1/sessions/g-alice/groups/${groupId}/participants`, { action: 'add', participants: [CAROL] });
    assert.equal(add.statusCode, 200, add.body);
    assert.equal(add.json().items[0].status, '200');
    for (const action of ['promote', 'demote', 'remove']) {
      const response = await api('POST', `/v1/sessions/g-alice/groups/${groupId}/participants`, { action, participants: [CAROL] });
      assert.equal(response.statusCode, 200, `${action}: ${response.body}`);
    }
    const info = (await api('GET', `/v1/sessions/g-alice/groups/${groupId}`)).json();
    assert.deepEqual(info.participants.map((p: { phoneJid: string | null; id: string }) => p.phoneJid ?? p.id).sort(), [`${ALICE}@s.whatsapp.net`, `${BOB}@s.whatsapp.net`].sort());
    await eventually(() => e.app.events.filter((ev) => ev.sessionId === 'g-bob' && ev.type === 'group.participants').map((ev) => ev.payload.action), (actions) => ['add', 'promote', 'demote', 'remove'].every((a) => actions.includes(a)), 15_000);
  });

  test('subject, description, settings, invite code and leave', async () => {
    assert.equal((await api('PUT', `/v1/sessions/g-alice/groups/${groupId}/subject`, { subject: 'Project Y' })).statusCode, 200);
    assert.equal((await api('PUT', `/v1/sessions/g-alice/groups/${groupId}/description`, { description: 'Weekly sync' })).statusCode, 200);
    assert.equal((await api('PUT', `/v1/sessions/g-alice/groups/${groupId}/settings`, { setting: 'announcement' })).statusCode, 200);
    const info = (await api('GET', `/v1/sessions/g-bob/groups/${groupId}`)).json();
    assert.equal(info.subject, 'Project Y');
    assert.equal(info.description, 'Weekly sync');
    assert.equal(info.announce, true);
    const code = (await api('GET', `/v1/sessions/g-alice/groups/${groupId}/invite-code`)).json().code;
    assert.ok(code.length >= 6);
    const revoked = (await api('POST', `/v1/sessions/g-alice/groups/${groupId}/invite-code/revoke`)).json().code;
    assert.notEqual(revoked, code);
    const joined = await api('POST', '/v1/sessions/g-carol/groups/join', { code: `https://chat.whatsapp.com/${revoked}` });
    assert.equal(joined.statusCode, 200, joined.body);
    assert.equal(joined.json().groupId, groupId);
    assert.equal((await api('POST', `/v1/sessions/g-carol/groups/${groupId}/leave`)).statusCode, 200);
    const after = (await api('GET', `/v1/sessions/g-alice/groups/${groupId}`)).json();
    assert.ok(!after.participants.some((p: { phoneJid: string | null }) => p.phoneJid === `${CAROL}@s.whatsapp.net`));
  });

  test('typing in a chat reaches a subscriber as presence.update', async () => {
    assert.equal((await api('POST', '/v1/sessions/g-alice/presence/subscribe', { chatId: BOB })).statusCode, 200);
    assert.equal((await api('POST', '/v1/sessions/g-bob/presence', { presence: 'available' })).statusCode, 200);
    assert.equal((await api('POST', '/v1/sessions/g-bob/presence', { presence: 'composing', chatId: ALICE })).statusCode, 200);
    const event = await eventually(() => e.app.events.find((ev) => ev.sessionId === 'g-alice' && ev.type === 'presence.update' && ev.payload.presence === 'composing'), Boolean, 15_000);
    assert.ok(String(event!.payload.participant).startsWith(BOB) || String(event!.payload.participant).endsWith('@lid'));
  });

  test('number check tells who is on WhatsApp', async () => {
    const response = await api('POST', '/v1/sessions/g-alice/contacts/check', { phones: [BOB, '+1 555 099 9999'] });
    assert.equal(response.statusCode, 200, response.body);
    const [bob, nobody] = response.json().items;
    assert.equal(bob.exists, true);
    assert.equal(bob.jid, `${BOB}@s.whatsapp.net`);
    assert.equal(nobody.exists, false);
  });

  test('block and unblock a user', async () => {
    const blocklist = async () => (await api('POST', '/v1/sessions/g-alice/engine/fetchBlocklist', { args: [] })).json().result as string[];
    assert.equal((await api('POST', `/v1/sessions/g-alice/contacts/${CAROL}/block`)).statusCode, 200);
    assert.deepEqual(await blocklist(), [`${CAROL}@s.whatsapp.net`]);
    assert.equal((await api('POST', `/v1/sessions/g-alice/contacts/${CAROL}/unblock`)).statusCode, 200);
    assert.deepEqual(await blocklist(), []);
  });

  test('profile status text and picture', async () => {
    assert.equal((await api('PUT', '/v1/sessions/g-bob/profile/status', { text: 'Busy building' })).statusCode, 200);
    const status = await api('GET', `/v1/sessions/g-alice/contacts/${BOB}/status`);
    assert.equal(status.statusCode, 200, status.body);
    assert.equal(status.json().status, 'Busy building');
    const picture = await api('GET', `/v1/sessions/g-alice/contacts/${CAROL}/picture`);
    assert.equal(picture.statusCode, 200, picture.body);
    assert.equal(picture.json().url, null, 'no picture set');
  });
});
