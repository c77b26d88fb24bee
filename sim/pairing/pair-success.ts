import { createHmac, randomInt } from 'node:crypto';
import { type BinaryNode, Curve, proto } from 'baileys';
import type { AccountRecord, DeviceRecord } from '../state/types.ts';

const ACCOUNT_SIG_PREFIX = Buffer.from([6, 0]);

/**
 * What the phone sends the companion once it has scanned the QR (or accepted the pairing
 * code): an ADV device identity signed by the account key and MACed with the companion's
 * advSecret (which only the QR/pairing-code exchange reveals), plus the device's JIDs.
 * Mirrors what Baileys' configureSuccessfulPairing verifies.
 */
export function buildPairSuccess(opts: {
  id: string;
  account: AccountRecord;
  device: DeviceRecord;
  advSecret: Buffer;
  companionIdentityKey: Buffer;
  platform?: string;
}): BinaryNode {
  const { account, device } = opts;
  const details = Buffer.from(
    proto.ADVDeviceIdentity.encode({ rawId: randomInt(1, 2 ** 31), timestamp: Math.floor(Date.now() / 1000), keyIndex: device.keyIndex }).finish(),
  );
  const accountSignature = Curve.sign(account.accountKey.private, Buffer.concat([ACCOUNT_SIG_PREFIX, details, opts.companionIdentityKey]));
  const signed = Buffer.from(
    proto.ADVSignedDeviceIdentity.encode({ details, accountSignatureKey: account.accountKey.public, accountSignature }).finish(),
  );
  const hmac = createHmac('sha256', opts.advSecret).update(signed).digest();
  const identityHmac = Buffer.from(proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac }).finish());
  return {
    tag: 'iq',
    attrs: { from: 's.whatsapp.net', type: 'set', id: opts.id, xmlns: 'md' },
    content: [
      {
        tag: 'pair-success',
        attrs: {},
        content: [
          { tag: 'device-identity', attrs: {}, content: identityHmac },
          { tag: 'platform', attrs: { name: opts.platform ?? 'android' } },
          { tag: 'device', attrs: { jid: `${account.phone}:${device.id}@s.whatsapp.net`, lid: `${account.lid}:${device.id}@lid` } },
        ],
      },
    ],
  };
}

export interface ParsedQr {
  ref: string;
  noiseKey: Buffer;
  identityKey: Buffer;
  advSecret: Buffer;
  platform: string;
}

/** Parses `https://wa.me/settings/linked_devices#ref,noisePub,identityPub,advSecret,platform`. */
export function parseQr(qr: string): ParsedQr {
  const fragment = qr.includes('#') ? qr.slice(qr.indexOf('#') + 1) : qr;
  const [ref, noise, identity, adv, platform] = fragment.split(',');
  if (!ref || !noise || !identity || !adv) throw Object.assign(new Error('not a WhatsApp pairing QR string'), { status: 400 });
  return {
    ref,
    noiseKey: Buffer.from(noise, 'base64'),
    identityKey: Buffer.from(identity, 'base64'),
    advSecret: Buffer.from(adv, 'base64'),
    platform: platform ?? '',
  };
}
