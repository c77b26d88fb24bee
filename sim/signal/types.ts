/**
 * Public key material as it travels through the simulator's key directory.
 * Public keys here are the raw 32-byte Curve25519 keys exactly as Baileys uploads them in
 * `<iq xmlns="encrypt" type="set">`; the 0x05 Signal type prefix is added only when handing keys
 * to libsignal (see `signalPubKey`). 33-byte prefixed keys (as Baileys' retry-receipt parser
 * returns them) are accepted wherever a bundle is consumed.
 */
export interface PreKeyPublic {
  keyId: number;
  publicKey: Uint8Array;
}

export interface SignedPreKeyPublic extends PreKeyPublic {
  /** XEdDSA signature of the 0x05-prefixed public key by the identity key. */
  signature: Uint8Array;
}

/** What a device uploaded: the key directory entry for one device. */
export interface UploadedKeys {
  registrationId: number;
  identityKey: Uint8Array;
  signedPreKey: SignedPreKeyPublic;
  preKeys: PreKeyPublic[];
}

/** What one `encrypt get <key>` answer carries for one device: at most one one-time prekey. */
export interface DeviceBundle {
  registrationId: number;
  identityKey: Uint8Array;
  signedPreKey: SignedPreKeyPublic;
  preKey?: PreKeyPublic;
}

/** Ciphertext ready to go inside `<enc v="2" type=…>`. */
export interface EncPayload {
  type: 'pkmsg' | 'msg' | 'skmsg';
  ciphertext: Uint8Array;
}

/** Signal wire types (libsignal's `encrypt` returns 3 for PreKeyWhisperMessage, 1 otherwise). */
export const PREKEY_WHISPER_TYPE = 3;

/** Adds the 0x05 DJB type byte libsignal expects on public keys; leaves 33-byte keys alone. */
export function signalPubKey(key: Uint8Array): Buffer {
  if (key.length === 33) return Buffer.from(key);
  if (key.length !== 32) throw new Error(`public key must be 32 or 33 bytes, got ${key.length}`);
  return Buffer.concat([Buffer.from([5]), Buffer.from(key)]);
}

/** Strips the 0x05 type byte: the wire (and the key directory) carries raw 32-byte keys. */
export function rawPubKey(key: Uint8Array): Buffer {
  if (key.length === 32) return Buffer.from(key);
  if (key.length === 33 && key[0] === 5) return Buffer.from(key.subarray(1));
  throw new Error(`not a Curve25519 public key (${key.length} bytes)`);
}
