import { aesDecryptGCM, aesEncryptGCM, Curve, hkdf, NOISE_MODE, proto, sha256 } from 'baileys';
import { type KeyPair, randomKeyPair } from './keys.ts';

/*
 * Server side of Noise_XX_25519_AESGCM_SHA256 as Baileys' noise-handler speaks it:
 * the 32-byte protocol name is both the initial hash and chaining key, the prologue is the
 * WA intro header, MixKey = HKDF-SHA256(salt=ck, ikm=dh, 64) and handshake AEAD uses the
 * running hash as associated data with a counter that restarts at every MixKey.
 */

function ivFor(counter: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(counter, 8);
  return iv;
}

/** Per-direction transport cipher: AES-256-GCM, IV = 8 zero bytes ‖ 32-bit counter, no AAD. */
export class TransportCipher {
  private counter = 0;
  constructor(private readonly key: Buffer) {}
  encrypt(plaintext: Uint8Array): Buffer {
    return Buffer.from(aesEncryptGCM(plaintext, this.key, ivFor(this.counter++), Buffer.alloc(0)));
  }
  decrypt(ciphertext: Uint8Array): Buffer {
    return Buffer.from(aesDecryptGCM(ciphertext, this.key, ivFor(this.counter++), Buffer.alloc(0)));
  }
}

export interface HandshakeResult {
  /** The client's Noise static public key (= Baileys `creds.noiseKey.public`): it authenticates logins. */
  clientStatic: Buffer;
  clientPayload: proto.ClientPayload;
  /** client → server */
  readCipher: TransportCipher;
  /** server → client */
  writeCipher: TransportCipher;
}

export class NoiseServerHandshake {
  private hash: Buffer;
  private salt: Buffer;
  private key: Buffer;
  private counter = 0;
  private readonly ephemeral: KeyPair = randomKeyPair();
  private clientEphemeral: Buffer | undefined;

  constructor(
    private readonly staticKey: KeyPair,
    private readonly certChain: Buffer,
    prologue: Buffer,
  ) {
    const mode = Buffer.from(NOISE_MODE);
    this.hash = mode.length === 32 ? mode : sha256(mode);
    this.salt = this.hash;
    this.key = this.hash;
    this.authenticate(prologue);
  }

  private authenticate(data: Uint8Array): void {
    this.hash = sha256(Buffer.concat([this.hash, data]));
  }

  private mixIntoKey(dh: Uint8Array): void {
    const out = Buffer.from(hkdf(Buffer.from(dh), 64, { salt: this.salt, info: '' }));
    this.salt = out.subarray(0, 32);
    this.key = out.subarray(32);
    this.counter = 0;
  }

  private encrypt(plaintext: Uint8Array): Buffer {
    const out = Buffer.from(aesEncryptGCM(plaintext, this.key, ivFor(this.counter++), this.hash));
    this.authenticate(out);
    return out;
  }

  private decrypt(ciphertext: Uint8Array): Buffer {
    const out = Buffer.from(aesDecryptGCM(ciphertext, this.key, ivFor(this.counter++), this.hash));
    this.authenticate(ciphertext);
    return out;
  }

  /** Consumes the client hello, returns the encoded server hello frame payload. */
  serverHello(frame: Uint8Array): Buffer {
    const hello = proto.HandshakeMessage.decode(frame).clientHello;
    if (!hello?.ephemeral || hello.ephemeral.length !== 32) throw new Error('client hello without ephemeral key');
    this.clientEphemeral = Buffer.from(hello.ephemeral);
    this.authenticate(this.clientEphemeral);
    this.authenticate(this.ephemeral.public);
    this.mixIntoKey(Curve.sharedKey(this.ephemeral.private, this.clientEphemeral));
    const encStatic = this.encrypt(this.staticKey.public);
    this.mixIntoKey(Curve.sharedKey(this.staticKey.private, this.clientEphemeral));
    const encPayload = this.encrypt(this.certChain);
    const msg = { serverHello: { ephemeral: this.ephemeral.public, static: encStatic, payload: encPayload } };
    return Buffer.from(proto.HandshakeMessage.encode(msg).finish());
  }

  /** Consumes the client finish: recovers the client static key and payload, splits transport keys. */
  clientFinish(frame: Uint8Array): HandshakeResult {
    const finish = proto.HandshakeMessage.decode(frame).clientFinish;
    if (!finish?.static || !finish.payload) throw new Error('client finish incomplete');
    const clientStatic = this.decrypt(finish.static);
    this.mixIntoKey(Curve.sharedKey(this.ephemeral.private, clientStatic));
    const clientPayload = proto.ClientPayload.decode(this.decrypt(finish.payload));
    const split = Buffer.from(hkdf(Buffer.alloc(0), 64, { salt: this.salt, info: '' }));
    return {
      clientStatic,
      clientPayload,
      readCipher: new TransportCipher(split.subarray(0, 32)),
      writeCipher: new TransportCipher(split.subarray(32)),
    };
  }
}
