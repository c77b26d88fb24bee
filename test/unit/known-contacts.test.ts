import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KnownContacts } from '../../src/sessions/known-contacts.ts';

const alice = { id: '15550001111@s.whatsapp.net', phoneJid: '15550001111@s.whatsapp.net', lid: null, name: null, notify: 'Alice' };

test('known contacts: only what is new is written again', () => {
  const known = new KnownContacts();
  assert.deepEqual(known.news([alice]), [alice], 'first sighting');
  assert.deepEqual(known.news([alice]), [], 'the same push name with the next message');
  assert.deepEqual(known.news([{ ...alice, phoneJid: null, notify: null }]), [], 'nulls say nothing new');
  const renamed = { ...alice, notify: 'Alice B.' };
  assert.deepEqual(known.news([renamed]), [renamed], 'a new push name');
  const withLid = { ...alice, phoneJid: null, notify: null, lid: '123456789012345@lid' };
  assert.deepEqual(known.news([withLid]), [withLid], 'a field learned for the first time');
  assert.deepEqual(known.news([{ ...renamed, lid: '123456789012345@lid' }]), [], 'everything already known, merged');
  assert.deepEqual(known.news([alice]), [alice], 'the old push name again is a change too');
});

test('known contacts: a contact whose write failed is written again next time', () => {
  const known = new KnownContacts();
  const news = known.news([alice]);
  known.forget(news);
  assert.deepEqual(known.news([alice]), [alice]);
});

test('known contacts: bounded; past the bound it starts over instead of growing', () => {
  const known = new KnownContacts();
  for (let i = 0; i < 5_000; i++) known.news([{ ...alice, id: `${i}@s.whatsapp.net` }]);
  assert.deepEqual(known.news([{ ...alice, id: '0@s.whatsapp.net' }]), [], 'still known below the bound');
  known.news([{ ...alice, id: 'overflow@s.whatsapp.net' }]);
  assert.equal(known.news([{ ...alice, id: '1@s.whatsapp.net' }]).length, 1, 'forgotten after starting over');
});
