import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalAddress, parseJid, personAddresses, resolveRecipient } from '../../src/domain/jid.ts';

test('recipients: phone numbers and JIDs', () => {
  assert.deepEqual(resolveRecipient('+1 555 000 1111'), { jid: '15550001111@s.whatsapp.net', kind: 'user', user: '15550001111' });
  assert.equal(resolveRecipient('15550001111@s.whatsapp.net')?.kind, 'user');
  assert.equal(resolveRecipient('15550001111:3@s.whatsapp.net')?.jid, '15550001111@s.whatsapp.net');
  assert.deepEqual(resolveRecipient('123456789012345@lid'), { jid: '123456789012345@lid', kind: 'lid', user: '123456789012345' });
  assert.equal(resolveRecipient('120363000000000001@g.us')?.kind, 'group');
  assert.equal(resolveRecipient('15550001111-1690000000@g.us')?.kind, 'group');
  for (const bad of ['', 'bob', '12', 'bob@s.whatsapp.net', '123@example.com', '1-2@s.whatsapp.net', '123@broadcast']) {
    assert.equal(resolveRecipient(bad), undefined, bad);
  }
  assert.equal(parseJid('status@broadcast'), undefined);
});

test('a person is filed under the phone JID once known, else the LID; device suffixes and groups ignored', () => {
  assert.deepEqual(personAddresses('20000000000001:3@lid', null, '491701234567:7@s.whatsapp.net'), { lid: '20000000000001@lid', phoneJid: '491701234567@s.whatsapp.net' });
  assert.deepEqual(personAddresses('120363000000000001@g.us', undefined), { lid: null, phoneJid: null });
  assert.deepEqual(canonicalAddress({ lid: '1@lid', phoneJid: '49170@s.whatsapp.net' }), { id: '49170@s.whatsapp.net', alt: '1@lid' });
  assert.deepEqual(canonicalAddress({ lid: '1@lid', phoneJid: null }), { id: '1@lid', alt: null });
  assert.equal(canonicalAddress({ lid: null, phoneJid: null }), undefined);
});
