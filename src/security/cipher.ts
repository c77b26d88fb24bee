/**
 * AES-256-GCM for auth-state values (ARCHITECTURE.md invariant 4).
 *
 * Sealed layout: [version 1 byte][IV 12 bytes][tag 16 bytes][ciphertext].
 * Associated data binds each value to (version, sessionId, category, keyId): a value copied onto
 * another key or session, or a row whose key was renamed, fails authentication instead of silently
 * feeding Signal the wrong key. The AES key is derived from the master key with HKDF so the master
 * key can later derive other subkeys without reusing one key for two purposes.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error.ts';
import { MASTER_KEY_BYTES } from './master-key.ts';

export const SEALED_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;
const HKDF_INFO = 'wafleet auth-state aes-256-gcm v1';

/** Where a value lives; it is authenticated with the value. */
export interface AuthStateAddress {
  sessionId: string;
  category: string;
  keyId: string;
}

export interface AuthStateCipher {
  encrypt(address: AuthStateAddress, plaintext: Buffer): Buffer;
  /** Throws AppError AUTH_STATE_CORRUPT when the value was tampered with, moved, or sealed under another key. */
  decrypt(address: AuthStateAddress, sealed: Buffer): Buffer;
}

function associatedData(version: number, address: AuthStateAddress): Buffer {
  // JSON of an array is unambiguous: ("a:b", "c") and ("a", "b:c") give different bytes.
  return Buffer.from(JSON.stringify(['wafleet-auth-state', version, address.sessionId, address.category, address.keyId]), 'utf8');
}

function corrupt(address: AuthStateAddress, reason: string): AppError {
  // Names the row, never its content.
  return new AppError(
    'AUTH_STATE_CORRUPT',
    `Auth state of session "${address.sessionId}" (category "${address.category}", key "${address.keyId}") could not be decrypted: ${reason}.`,
    { sessionId: address.sessionId, category: address.category, keyId: address.keyId },
  );
}

export function createCipher(masterKey: Buffer): AuthStateCipher {
  if (masterKey.length !== MASTER_KEY_BYTES) {
    throw new RangeError(`master key must be ${MASTER_KEY_BYTES} bytes`);
  }
  // hkdfSync copies what it needs; the caller's buffer is not retained.
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), HKDF_INFO, 32));

  return {
    encrypt(address, plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(associatedData(SEALED_VERSION, address));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return Buffer.concat([Buffer.of(SEALED_VERSION), iv, cipher.getAuthTag(), body]);
    },

    decrypt(address, sealed) {
      if (sealed.length < HEADER_BYTES) throw corrupt(address, 'value is truncated');
      const version = sealed[0];
      if (version !== SEALED_VERSION) throw corrupt(address, `unknown format version ${String(version)}`);
      const iv = sealed.subarray(1, 1 + IV_BYTES);
      const tag = sealed.subarray(1 + IV_BYTES, HEADER_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(version, address));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]);
      } catch {
        throw corrupt(address, 'wrong master key, or the value was tampered with or moved');
      }
    },
  };
}
