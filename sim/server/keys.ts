import { createHash, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { Curve, proto } from 'baileys';

/** A Curve25519 key pair with raw 32-byte keys, the shape Baileys' `Curve` uses. */
export interface KeyPair {
  private: Buffer;
  public: Buffer;
}

/** Curve.generateKeyPair() with both halves as Buffers. */
export function randomKeyPair(): KeyPair {
  const pair = Curve.generateKeyPair();
  return { private: Buffer.from(pair.private), public: Buffer.from(pair.public) };
}

const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/**
 * Deterministic key pair from a seed string (so a `--root-seed` gives a stable root public key
 * that test processes can pin). Without a seed the pair is random.
 */
export function keyPairFromSeed(seed?: string, label = ''): KeyPair {
  if (seed === undefined) return randomKeyPair();
  const priv = createHash('sha256').update(`wafleet-sim:${label}:${seed}`).digest();
  priv[0]! &= 248;
  priv[31]! &= 127;
  priv[31]! |= 64;
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, priv]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return { private: priv, public: Buffer.from(spki.subarray(spki.length - 32)) };
}

/** The server's identity: a root key (what clients pin) and the Noise certificate chain it signs. */
export interface ServerIdentity {
  root: KeyPair;
  intermediate: KeyPair;
  /** Noise static key of the server; the leaf certificate names it. */
  noiseStatic: KeyPair;
  /** Encoded `CertChain` sent as the server hello payload. */
  certChain: Buffer;
}

function signedCert(details: proto.CertChain.NoiseCertificate.IDetails, signer: KeyPair): proto.CertChain.INoiseCertificate {
  const encoded = Buffer.from(proto.CertChain.NoiseCertificate.Details.encode(details).finish());
  return { details: encoded, signature: Buffer.from(Curve.sign(signer.private, encoded)) };
}

/**
 * root → intermediate → leaf, each signed with real XEdDSA. Baileys (rc14) requires the
 * intermediate's issuerSerial to be 0 (the pinned root's serial) and checks both signatures.
 */
export function createServerIdentity(rootSeed?: string): ServerIdentity {
  const root = keyPairFromSeed(rootSeed, 'root');
  const intermediate = keyPairFromSeed(rootSeed, 'intermediate');
  const noiseStatic = rootSeed === undefined ? randomKeyPair() : keyPairFromSeed(rootSeed, 'static');
  const now = Math.floor(Date.now() / 1000);
  const validity = { notBefore: now - 86_400, notAfter: now + 365 * 86_400 };
  const intermediateCert = signedCert({ serial: 1, issuerSerial: 0, key: intermediate.public, ...validity }, root);
  const leafCert = signedCert({ serial: 2, issuerSerial: 1, key: noiseStatic.public, ...validity }, intermediate);
  const certChain = Buffer.from(proto.CertChain.encode({ leaf: leafCert, intermediate: intermediateCert }).finish());
  return { root, intermediate, noiseStatic, certChain };
}

export function randomId(bytes = 8): string {
  return randomBytes(bytes).toString('hex').toUpperCase();
}
