// Subject, description, settings, invite codes, join, leave, persistence — with Baileys' readers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getBinaryNodeChild, assertNodeErrorFree } from 'baileys';
import { extractGroupMetadata } from 'baileys/lib/Socket/groups.js';
import { GroupStore } from '../../sim/groups/index.ts';
import { alice, bob, carol, dave, groupQuery, participantsOf, run } from './helpers.ts';

function setup() {
  const store = new GroupStore();
  const create = groupQuery('@g.us', 'set', [{ tag: 'create', attrs: { subject: 'Ops', key: 'K' }, content: participantsOf([bob.pn, carol.pn]) }]);
  const id = extractGroupMetadata(run(store, alice, create).reply).id;
  const meta = (who = alice) => extractGroupMetadata(run(store, who, groupQuery(id, 'get', [{ tag: 'query', attrs: { request: 'interactive' } }])).reply);
  const set = (who: typeof alice, content: any[], type: 'set' | 'get' = 'set', to = id) => run(store, who, groupQuery(to, type, content));
  return { store, id, meta, set };
}

test('subject (groupUpdateSubject) updates subject, owner and time', () => {
  const { meta, set } = setup();
  const res = set(bob, [{ tag: 'subject', attrs: {}, content: Buffer.from('Ops 2 ✓', 'utf8') }], 'set');
  assertNodeErrorFree(res.reply);
  const m = meta();
  assert.equal(m.subject, 'Ops 2 ✓');
  assert.equal(m.subjectOwner, bob.lid);
  assert.equal(m.subjectOwnerPn, bob.pn);
  assert.equal(res.notifications.length, 3);
});

test('description (groupUpdateDescription): id/prev chain, conflict on stale prev, delete', () => {
  const { meta, set } = setup();
  const describe = (who: typeof alice, text: string | undefined, prev?: string) =>
    set(who, [{
      tag: 'description',
      attrs: { ...(text ? { id: `D${text.length}` } : { delete: 'true' }), ...(prev ? { prev } : {}) },
      content: text ? [{ tag: 'body', attrs: {}, content: Buffer.from(text, 'utf8') }] : undefined,
    }]);
  assertNodeErrorFree(describe(alice, 'first').reply);
  let m = meta();
  assert.equal(m.desc, 'first');
  assert.equal(m.descId, 'D5');
  assert.equal(m.descOwner, alice.lid);
  assert.equal(m.descOwnerPn, alice.pn);
  assert.equal(m.descTime, 1_767_000_000);
  assert.throws(() => assertNodeErrorFree(describe(bob, 'second!').reply), /conflict/, 'missing prev');
  assertNodeErrorFree(describe(bob, 'second!', m.descId).reply);
  m = meta();
  assert.equal(m.desc, 'second!');
  assertNodeErrorFree(describe(alice, undefined, m.descId).reply);
  assert.equal(meta().desc, undefined);
});

test('settings: announcement / locked are admin-only and show in metadata; locked restricts subject', () => {
  const { meta, set } = setup();
  assert.throws(() => assertNodeErrorFree(set(bob, [{ tag: 'announcement', attrs: {} }]).reply), /not-authorized/);
  for (const tag of ['announcement', 'locked']) assertNodeErrorFree(set(alice, [{ tag, attrs: {} }]).reply);
  let m = meta();
  assert.equal(m.announce, true);
  assert.equal(m.restrict, true);
  assert.throws(() => assertNodeErrorFree(set(bob, [{ tag: 'subject', attrs: {}, content: Buffer.from('x') }]).reply), /not-authorized/);
  for (const tag of ['not_announcement', 'unlocked']) assertNodeErrorFree(set(alice, [{ tag, attrs: {} }]).reply);
  m = meta();
  assert.equal(m.announce, false);
  assert.equal(m.restrict, false);
  assertNodeErrorFree(set(alice, [{ tag: 'ephemeral', attrs: { expiration: '86400' } }]).reply);
  assert.equal(meta().ephemeralDuration, 86400);
  assertNodeErrorFree(set(alice, [{ tag: 'member_add_mode', attrs: {}, content: 'all_member_add' }]).reply);
  assert.equal(meta().memberAddMode, true);
});

test('invite code get / revoke, info by code, join by code, leave', () => {
  const { store, id, meta, set } = setup();
  const code = getBinaryNodeChild(set(alice, [{ tag: 'invite', attrs: {} }], 'get').reply, 'invite')?.attrs.code;
  assert.match(code!, /^[A-Za-z0-9]{22}$/);
  assert.throws(() => assertNodeErrorFree(set(bob, [{ tag: 'invite', attrs: {} }], 'get').reply), /not-authorized/);
  const revoked = set(alice, [{ tag: 'invite', attrs: {} }], 'set');
  const code2 = getBinaryNodeChild(revoked.reply, 'invite')?.attrs.code;
  assert.notEqual(code2, code);
  // groupGetInviteInfo
  const info = extractGroupMetadata(set(dave, [{ tag: 'invite', attrs: { code: code2! } }], 'get', '@g.us').reply);
  assert.equal(info.id, id);
  assert.equal(info.size, 3);
  // groupAcceptInvite reads <group jid>
  assert.throws(() => assertNodeErrorFree(set(dave, [{ tag: 'invite', attrs: { code: code! } }], 'set', '@g.us').reply), /item-not-found/);
  const joined = set(dave, [{ tag: 'invite', attrs: { code: code2! } }], 'set', '@g.us');
  assert.equal(getBinaryNodeChild(joined.reply, 'group')?.attrs.jid, id);
  assert.equal(joined.notifications.length, 4);
  assert.ok(store.isMember(id, dave.pn));
  // groupLeave
  const left = set(carol, [{ tag: 'leave', attrs: {}, content: [{ tag: 'group', attrs: { id } }] }], 'set', '@g.us');
  assertNodeErrorFree(left.reply);
  assert.equal(left.notifications.length, 4, 'remaining members and the leaver');
  assert.deepEqual(meta().participants.map((p) => p.id), [alice.lid, bob.lid, dave.lid]);
});

test('store survives JSON round trip; unknown ops answer 501', () => {
  const { store, id, set } = setup();
  const copy = GroupStore.fromJSON(JSON.parse(JSON.stringify(store.toJSON())));
  assert.deepEqual(copy.members(id), store.members(id));
  assert.equal(copy.get(id)?.inviteCode, store.get(id)?.inviteCode);
  assert.throws(() => assertNodeErrorFree(set(alice, [{ tag: 'frobnicate', attrs: {} }]).reply), /feature-not-implemented/);
});
