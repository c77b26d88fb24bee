// w:g2 IQ answers parsed by Baileys' own extractGroupMetadata / result readers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getBinaryNodeChild, getBinaryNodeChildren, assertNodeErrorFree } from 'baileys';
import { extractGroupMetadata } from 'baileys/lib/Socket/groups.js';
import { GroupStore } from '../../sim/groups/index.ts';
import { alice, bob, carol, dave, groupQuery, participantsOf, run } from './helpers.ts';

function createGroup(store: GroupStore, members = [bob.pn, carol.lid]) {
  // groups.js groupCreate
  const iq = groupQuery('@g.us', 'set', [
    { tag: 'create', attrs: { subject: 'Team', key: 'K1' }, content: participantsOf([...members, '19999999999@s.whatsapp.net']) },
  ]);
  const res = run(store, alice, iq);
  return { iq, res, meta: extractGroupMetadata(res.reply) };
}

test('create: Baileys parses metadata (LID addressing, creator superadmin, PN alongside)', () => {
  const store = new GroupStore();
  const { iq, res, meta } = createGroup(store);
  assert.match(meta.id, /^120363\d+@g\.us$/);
  assert.equal(meta.subject, 'Team');
  assert.equal(meta.addressingMode, 'lid');
  assert.equal(meta.owner, alice.lid);
  assert.equal(meta.ownerPn, alice.pn);
  assert.equal(meta.subjectOwner, alice.lid);
  assert.equal(meta.creation, 1_767_000_000);
  assert.equal(meta.size, 3, 'the unknown number is left out');
  assert.deepEqual(
    meta.participants.map((p) => [p.id, p.phoneNumber, p.admin]),
    [
      [alice.lid, alice.pn, 'superadmin'],
      [bob.lid, bob.pn, null],
      [carol.lid, carol.pn, null],
    ],
  );
  assert.equal(meta.announce, false);
  assert.equal(meta.restrict, false);
  assert.equal(meta.memberAddMode, false);
  assert.equal(res.reply.attrs.type, 'result');
  assert.equal(res.reply.attrs.id, iq.attrs.id);
  assert.deepEqual(res.notifications.map((n) => n.to).sort(), [alice.pn, bob.pn, carol.pn].sort());
});

test('metadata query and participating list parse like Baileys groupMetadata / groupFetchAllParticipating', () => {
  const store = new GroupStore();
  const { meta } = createGroup(store);
  createGroup(store, [dave.pn]);
  const q = run(store, bob, groupQuery(meta.id, 'get', [{ tag: 'query', attrs: { request: 'interactive' } }]));
  assert.deepEqual(extractGroupMetadata(q.reply).participants.length, 3);

  const all = run(store, alice, groupQuery('@g.us', 'get', [
    { tag: 'participating', attrs: {}, content: [{ tag: 'participants', attrs: {} }, { tag: 'description', attrs: {} }] },
  ]));
  const groups = getBinaryNodeChildren(getBinaryNodeChild(all.reply, 'groups'), 'group');
  const metas = groups.map((g) => extractGroupMetadata({ tag: 'result', attrs: {}, content: [g] }));
  assert.equal(metas.length, 2);
  assert.ok(metas.every((m) => m.owner === alice.lid && m.participants.length >= 2));
  const bobs = run(store, bob, groupQuery('@g.us', 'get', [{ tag: 'participating', attrs: {}, content: [] }]));
  assert.equal(getBinaryNodeChildren(getBinaryNodeChild(bobs.reply, 'groups'), 'group').length, 1);

  const nobody = { pn: '15550000099@s.whatsapp.net', lid: '100000000000099@lid' };
  const none = run(store, nobody, groupQuery('@g.us', 'get', [{ tag: 'participating', attrs: {}, content: [] }]));
  assert.equal(getBinaryNodeChildren(getBinaryNodeChild(none.reply, 'groups'), 'group').length, 0);

  const outsider = run(store, dave, groupQuery(meta.id, 'get', [{ tag: 'query', attrs: { request: 'interactive' } }]));
  assert.throws(() => extractGroupMetadata(outsider.reply), (e: any) => e.output?.statusCode === 403);
  const missing = run(store, alice, groupQuery('120363000000000000@g.us', 'get', [{ tag: 'query', attrs: {} }]));
  assert.throws(() => assertNodeErrorFree(missing.reply), /item-not-found/);
});

test('add / promote / demote / remove answer per participant like groupParticipantsUpdate reads', () => {
  const store = new GroupStore();
  const { meta } = createGroup(store);
  const update = (who: typeof alice, action: string, jids: string[]) => {
    const res = run(store, who, groupQuery(meta.id, 'set', [{ tag: action, attrs: {}, content: participantsOf(jids) }]));
    assertNodeErrorFree(res.reply);
    const parts = getBinaryNodeChildren(getBinaryNodeChild(res.reply, action), 'participant');
    return { res, status: parts.map((p) => [p.attrs.jid, p.attrs.error || '200']) };
  };
  assert.deepEqual(update(alice, 'add', [dave.pn, bob.pn, '18888888888@s.whatsapp.net']).status, [
    [dave.pn, '200'],
    [bob.pn, '409'],
    ['18888888888@s.whatsapp.net', '404'],
  ]);
  assert.equal(store.members(meta.id).length, 4);
  assert.throws(() => update(bob, 'add', [carol.pn]), /not-authorized/, 'non-admin may not add');
  assert.deepEqual(update(alice, 'promote', [bob.lid]).status, [[bob.lid, '200']]);
  assert.equal(store.members(meta.id).find((m) => m.lid === bob.lid)?.admin, 'admin');
  assert.deepEqual(update(bob, 'demote', [alice.pn]).status, [[alice.pn, '406']], 'creator stays superadmin');
  const removed = update(bob, 'remove', [carol.pn]);
  assert.deepEqual(removed.status, [[carol.pn, '200']]);
  assert.ok(removed.res.notifications.some((n) => n.to === carol.pn), 'the removed member is told');
  assert.deepEqual(update(alice, 'demote', [bob.pn]).status, [[bob.pn, '200']]);
  const after = extractGroupMetadata(run(store, alice, groupQuery(meta.id, 'get', [{ tag: 'query', attrs: {} }])).reply);
  assert.deepEqual(after.participants.map((p) => [p.id, p.admin]), [
    [alice.lid, 'superadmin'],
    [bob.lid, null],
    [dave.lid, null],
  ]);
});
