// w:gp2 notifications produced by the handlers, fed to an unmodified Baileys socket: the events it
// emits prove the nodes have the shapes messages-recv.js handleGroupNotification understands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WAMessageStubType, getBinaryNodeChild } from 'baileys';
import { GroupStore, type GroupIqResult } from '../../sim/groups/index.ts';
import { alice, bob, carol, dave, groupQuery, participantsOf, run } from './helpers.ts';
import { feedableSocket } from './baileys-socket.ts';

test('Baileys turns every group notification into the expected events and stub types', async () => {
  const sock = await feedableSocket(alice);
  try {
    const store = new GroupStore();
    const forAlice = async (res: GroupIqResult) => {
      const mine = res.notifications.filter((n) => n.to === alice.pn);
      assert.equal(mine.length, 1, 'one notification per member');
      assert.equal(mine[0]!.toLid, alice.lid);
      await sock.deliver(mine[0]!.node);
    };
    const created = run(store, alice, groupQuery('@g.us', 'set', [{ tag: 'create', attrs: { subject: 'G', key: 'k' }, content: participantsOf([bob.pn, carol.pn]) }]));
    const id = `${getBinaryNodeChild(created.reply, 'group')!.attrs.id}@g.us`;
    await forAlice(created);
    const set = (who: typeof alice, content: any[], to = id) => run(store, who, groupQuery(to, 'set', content));
    await forAlice(set(alice, [{ tag: 'add', attrs: {}, content: participantsOf([dave.pn]) }]));
    await forAlice(set(alice, [{ tag: 'promote', attrs: {}, content: participantsOf([bob.pn]) }]));
    await forAlice(set(bob, [{ tag: 'demote', attrs: {}, content: participantsOf([bob.lid]) }]));
    await forAlice(set(alice, [{ tag: 'remove', attrs: {}, content: participantsOf([dave.lid]) }]));
    await forAlice(set(alice, [{ tag: 'subject', attrs: {}, content: Buffer.from('G2') }]));
    await forAlice(set(alice, [{ tag: 'description', attrs: { id: 'D1' }, content: [{ tag: 'body', attrs: {}, content: Buffer.from('about') }] }]));
    await forAlice(set(alice, [{ tag: 'announcement', attrs: {} }]));
    await forAlice(set(alice, [{ tag: 'locked', attrs: {} }]));
    await forAlice(set(alice, [{ tag: 'invite', attrs: {} }]));
    await forAlice(set(alice, [{ tag: 'member_add_mode', attrs: {}, content: 'all_member_add' }]));
    await forAlice(set(carol, [{ tag: 'leave', attrs: {}, content: [{ tag: 'group', attrs: { id } }] }], '@g.us'));
    const code = store.get(id)!.inviteCode;
    await forAlice(run(store, dave, groupQuery('@g.us', 'set', [{ tag: 'invite', attrs: { code } }])));

    const stubs = sock.events
      .filter((e) => e.name === 'messages.upsert')
      .flatMap((e) => e.data.messages.map((m: any) => WAMessageStubType[m.messageStubType]));
    assert.deepEqual(stubs, [
      'GROUP_CREATE',
      'GROUP_PARTICIPANT_ADD',
      'GROUP_PARTICIPANT_PROMOTE',
      'GROUP_PARTICIPANT_DEMOTE',
      'GROUP_PARTICIPANT_REMOVE',
      'GROUP_CHANGE_SUBJECT',
      'GROUP_CHANGE_DESCRIPTION',
      'GROUP_CHANGE_ANNOUNCE',
      'GROUP_CHANGE_RESTRICT',
      'GROUP_CHANGE_INVITE_LINK',
      'GROUP_MEMBER_ADD_MODE',
      'GROUP_PARTICIPANT_LEAVE',
      'GROUP_PARTICIPANT_ADD',
    ]);
    const upsert = sock.events.find((e) => e.name === 'groups.upsert')!.data[0];
    assert.equal(upsert.id, id);
    assert.equal(upsert.subject, 'G');
    assert.equal(upsert.participants.length, 3);
    const moves = sock.events.filter((e) => e.name === 'group-participants.update').map((e) => [e.data.action, e.data.participants[0].phoneNumber]);
    assert.deepEqual(moves, [
      ['add', dave.pn],
      ['promote', bob.pn],
      ['demote', bob.pn],
      ['remove', dave.pn],
      ['remove', carol.pn],
      ['add', dave.pn],
    ]);
    const updates = Object.assign({}, ...sock.events.filter((e) => e.name === 'groups.update').map((e) => e.data[0]));
    assert.equal(updates.subject, 'G2');
    assert.equal(updates.desc, 'about');
    assert.equal(updates.announce, true);
    assert.equal(updates.restrict, true);
    assert.equal(updates.inviteCode, code);
    assert.equal(updates.memberAddMode, true);
    assert.equal(updates.author, alice.lid);
  } finally {
    await sock.close();
  }
});
