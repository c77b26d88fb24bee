import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Curve } from 'baileys';
import libsignal from 'libsignal';
import { buildKeyBundleUser, parseKeyBundleUser, parsePreKeyUpload, takeBundle, VirtualDevice } from '../../sim/signal/index.ts';
import { makeBaileysPeer } from './baileys-peer.ts';

test('parses the prekey upload Baileys sends (encrypt set)', async () => {
  const peer = await makeBaileysPeer('5511900000001', '700000001', 2, 5);
  const keys = parsePreKeyUpload(peer.uploadNode);
  assert.equal(keys.registrationId, peer.creds.registrationId);
  assert.deepEqual(Buffer.from(keys.identityKey), Buffer.from(peer.creds.signedIdentityKey.public));
  assert.equal(keys.signedPreKey.keyId, peer.creds.signedPreKey.keyId);
  assert.deepEqual(Buffer.from(keys.signedPreKey.signature), Buffer.from(peer.creds.signedPreKey.signature));
  assert.deepEqual(keys.preKeys.map((k) => k.keyId), [1, 2, 3, 4, 5]);
  assert.ok(keys.preKeys.every((k) => k.publicKey.length === 32));
});

test('takeBundle consumes one-time prekeys, then falls back to the signed prekey only', async () => {
  const keys = VirtualDevice.create({ jid: '1@lid', preKeyCount: 2 }).uploadedKeys();
  assert.equal(takeBundle(keys).preKey?.keyId, 1);
  assert.equal(takeBundle(keys, false).preKey?.keyId, 2);
  assert.equal(takeBundle(keys).preKey?.keyId, 2);
  const last = takeBundle(keys);
  assert.equal(last.preKey, undefined);
  assert.equal(last.signedPreKey.keyId, 1);
});

test('key bundle <user> node round-trips', () => {
  const device = VirtualDevice.create({ jid: '2@lid', preKeyCount: 1 });
  const bundle = takeBundle(device.uploadedKeys());
  const node = buildKeyBundleUser('2@lid', bundle);
  assert.equal(node.attrs.jid, '2@lid');
  const parsed = parseKeyBundleUser(node);
  assert.equal(parsed.registrationId, device.registrationId);
  assert.deepEqual(Buffer.from(parsed.identityKey), device.identityKey);
  assert.equal(parsed.preKey?.keyId, 1);
});

test('a used one-time prekey disappears from the device upload', async () => {
  const device = VirtualDevice.create({ jid: '3@lid', preKeyCount: 3 });
  const peer = await makeBaileysPeer('5511900000002', '700000002', 1);
  const { injectE2ESession, encryptMessage } = peer.repo;
  const bundle = takeBundle(device.uploadedKeys());
  await injectE2ESession({
    jid: '3@lid',
    session: {
      registrationId: bundle.registrationId,
      identityKey: Buffer.concat([Buffer.from([5]), Buffer.from(bundle.identityKey)]),
      signedPreKey: { ...bundle.signedPreKey, publicKey: Buffer.concat([Buffer.from([5]), Buffer.from(bundle.signedPreKey.publicKey)]) },
      preKey: { keyId: bundle.preKey!.keyId, publicKey: Buffer.concat([Buffer.from([5]), Buffer.from(bundle.preKey!.publicKey)]) },
    },
  });
  const enc = await encryptMessage({ jid: '3@lid', data: Buffer.from([1, 2, 3, 1]) });
  await device.decryptBytes(peer.meLid, { type: enc.type, ciphertext: enc.ciphertext });
  assert.deepEqual(device.uploadedKeys().preKeys.map((k) => k.keyId), [2, 3]);
});

test('a device can take a given identity (the account key for device 0) and signs its prekey with it', () => {
  const accountKey = Curve.generateKeyPair();
  const device = VirtualDevice.create({ jid: '4@lid', identity: accountKey, preKeyCount: 1 });
  const keys = device.uploadedKeys();
  assert.deepEqual(Buffer.from(keys.identityKey), Buffer.from(accountKey.public));
  const signed = Buffer.concat([Buffer.from([5]), Buffer.from(keys.signedPreKey.publicKey)]);
  // libsignal's own check (Baileys' Curve.verify in rc14 ignores the result, so it proves nothing).
  const curve = (libsignal as any).curve;
  assert.equal(curve.verifySignature(Buffer.from(keys.identityKey), signed, Buffer.from(keys.signedPreKey.signature)), true);
  const other = Curve.generateKeyPair();
  assert.equal(curve.verifySignature(Buffer.from(other.public), signed, Buffer.from(keys.signedPreKey.signature)), false);
});
