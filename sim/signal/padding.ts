import { randomBytes } from 'node:crypto';

/**
 * WhatsApp pads every Signal plaintext with 1..16 bytes, each equal to the pad length
 * (PKCS#7-like, random length). Baileys' `unpadRandomMax16` strips it on receive and rejects
 * an empty buffer, so unpadded plaintext would lose its last bytes or fail.
 */
export function padRandomMax16(plaintext: Uint8Array): Buffer {
  const padLength = ((randomBytes(1)[0] ?? 0) & 0x0f) + 1;
  return Buffer.concat([Buffer.from(plaintext), Buffer.alloc(padLength, padLength)]);
}

export function unpadRandomMax16(padded: Uint8Array): Uint8Array {
  if (padded.length === 0) throw new Error('cannot unpad an empty plaintext');
  const padLength = padded[padded.length - 1] ?? 0;
  if (padLength === 0 || padLength > 16 || padLength > padded.length) {
    throw new Error(`invalid padding length ${padLength} for ${padded.length} bytes`);
  }
  return padded.subarray(0, padded.length - padLength);
}
