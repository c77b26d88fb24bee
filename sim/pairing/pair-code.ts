import { randomBytes } from 'node:crypto';
import { aesDecryptCTR, aesDecryptGCM, aesEncryptCTR, Curve, derivePairingCodeKey, hkdf } from 'baileys';
import type { KeyPair } from '../server/keys.ts';

/*
 * The phone's half of pairing by code (Baileys: requestPairingCode in socket.ts and the
 * link_code_companion_reg notification handler in messages-recv.ts). The 8-character code
 * keys PBKDF2-SHA256 (131072 rounds) → AES-256-CTR wrapping of both ephemeral keys; the
 * key bundle the companion returns is AES-GCM under HKDF(ephemeral DH); advSecret is
 * HKDF(ephemeral DH ‖ identity DH ‖ random, info "adv_secret").
 */

/** salt(32) ‖ iv(16) ‖ AES-CTR(pub) */
export async function unwrapEphemeral(wrapped: Buffer, code: string): Promise<Buffer> {
  const salt = wrapped.subarray(0, 32);
  const iv = wrapped.subarray(32, 48);
  const key = await derivePairingCodeKey(code, salt);
  return Buffer.from(aesDecryptCTR(wrapped.subarray(48, 80), key, iv));
}

export async function wrapEphemeral(pub: Buffer, code: string): Promise<Buffer> {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const key = await derivePairingCodeKey(code, salt);
  return Buffer.concat([salt, iv, Buffer.from(aesEncryptCTR(pub, key, iv))]);
}

/**
 * Opens the companion_finish key bundle and derives advSecret. Throws when the code was
 * wrong (GCM authentication fails) or the bundle names another primary identity.
 */
export function finishPairCode(opts: {
  bundle: Buffer;
  phoneEphemeral: KeyPair;
  companionEphemeral: Buffer;
  accountKey: KeyPair;
}): { advSecret: Buffer; companionIdentityKey: Buffer } {
  const { bundle, phoneEphemeral, companionEphemeral, accountKey } = opts;
  const ephemeralShared = Curve.sharedKey(phoneEphemeral.private, companionEphemeral);
  const salt = bundle.subarray(0, 32);
  const iv = bundle.subarray(32, 44);
  const key = Buffer.from(hkdf(ephemeralShared, 32, { salt, info: 'link_code_pairing_key_bundle_encryption_key' }));
  const plain = Buffer.from(aesDecryptGCM(bundle.subarray(44), key, iv, Buffer.alloc(0)));
  const companionIdentityKey = plain.subarray(0, 32);
  const primaryIdentityKey = plain.subarray(32, 64);
  const random = plain.subarray(64, 96);
  if (!primaryIdentityKey.equals(accountKey.public)) throw new Error('key bundle names another primary identity');
  const identityShared = Curve.sharedKey(accountKey.private, companionIdentityKey);
  const advSecret = Buffer.from(hkdf(Buffer.concat([ephemeralShared, identityShared, random]), 32, { info: 'adv_secret' }));
  return { advSecret, companionIdentityKey: Buffer.from(companionIdentityKey) };
}
