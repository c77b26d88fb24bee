import libsignal from 'libsignal';
import { proto } from 'baileys';
import { jidToAddress } from './address.ts';
import { type KeyPairBuffers, MemorySignalStore, type StoreSnapshot } from './memory-store.ts';
import { padRandomMax16, unpadRandomMax16 } from './padding.ts';
import {
  type DeviceBundle,
  type EncPayload,
  PREKEY_WHISPER_TYPE,
  rawPubKey,
  signalPubKey,
  type UploadedKeys,
} from './types.ts';
import { VirtualGroupCipher } from './group-cipher.ts';

// libsignal's .d.ts declares only the classes; keyhelper is there at runtime (it is what
// Baileys' own key generation boils down to).
const keyhelper = (libsignal as any).keyhelper as {
  generateIdentityKeyPair(): KeyPairBuffers;
  generateRegistrationId(): number;
  generateSignedPreKey(identity: KeyPairBuffers, keyId: number): { keyId: number; keyPair: KeyPairBuffers; signature: Buffer };
  generatePreKey(keyId: number): { keyId: number; keyPair: KeyPairBuffers };
};

export interface VirtualDeviceOptions {
  /** The device's own JID, e.g. `1234@lid` (device 0) or `5511…:0@s.whatsapp.net`. Informational. */
  jid: string;
  /** How many one-time prekeys to generate (each serves one new incoming session). */
  preKeyCount?: number;
  firstPreKeyId?: number;
  signedPreKeyId?: number;
  /**
   * Use this Curve25519 key pair (Baileys `KeyPair` shape, raw 32-byte keys) as the identity.
   * For an account's primary (device 0) pass the account's ADV key: on a real phone the
   * account signature key and device 0's Signal identity are the same key.
   */
  identity?: { private: Uint8Array; public: Uint8Array };
}

export interface VirtualDeviceSnapshot {
  jid: string;
  store: StoreSnapshot;
}

/**
 * A simulated phone's Signal endpoint: identity, registration id, signed and one-time prekeys
 * and sessions, all in memory. It encrypts WAProto messages for Baileys devices (X3DH from
 * the bundle they uploaded) and decrypts what they send to it. It never touches the network:
 * the server moves bytes, this class only turns messages into `<enc>` payloads and back.
 */
export class VirtualDevice {
  readonly jid: string;
  readonly store: MemorySignalStore;
  readonly groups: VirtualGroupCipher;

  private constructor(jid: string, store: MemorySignalStore) {
    this.jid = jid;
    this.store = store;
    this.groups = new VirtualGroupCipher(store, jid);
  }

  static create(options: VirtualDeviceOptions): VirtualDevice {
    const { jid, preKeyCount = 50, firstPreKeyId = 1, signedPreKeyId = 1 } = options;
    const identity = options.identity
      ? { pubKey: signalPubKey(options.identity.public), privKey: Buffer.from(options.identity.private) }
      : keyhelper.generateIdentityKeyPair();
    const signedPreKey = keyhelper.generateSignedPreKey(identity, signedPreKeyId);
    const preKeys = new Map<number, KeyPairBuffers>();
    for (let id = firstPreKeyId; id < firstPreKeyId + preKeyCount; id++) {
      preKeys.set(id, keyhelper.generatePreKey(id).keyPair);
    }
    const store = new MemorySignalStore(keyhelper.generateRegistrationId(), identity, signedPreKey, preKeys);
    return new VirtualDevice(jid, store);
  }

  /** Everything needed to bring the device back after a simulator restart (JSON-safe). */
  toJSON(): VirtualDeviceSnapshot {
    return { jid: this.jid, store: this.store.snapshot() };
  }

  static fromJSON(snapshot: VirtualDeviceSnapshot): VirtualDevice {
    return new VirtualDevice(snapshot.jid, MemorySignalStore.restore(snapshot.store));
  }

  get registrationId(): number {
    return this.store.registrationId;
  }

  /** Raw 32-byte identity public key (as it appears in `<identity>` and in device-identity checks). */
  get identityKey(): Buffer {
    return rawPubKey(this.store.identity.pubKey);
  }

  /**
   * The key-directory entry this device "uploaded": same shape as a parsed Baileys upload, so
   * the server stores virtual and real devices alike and answers `encrypt get <key>` for both.
   */
  uploadedKeys(): UploadedKeys {
    const { signedPreKey } = this.store;
    return {
      registrationId: this.registrationId,
      identityKey: this.identityKey,
      signedPreKey: {
        keyId: signedPreKey.keyId,
        publicKey: rawPubKey(signedPreKey.keyPair.pubKey),
        signature: Buffer.from(signedPreKey.signature),
      },
      preKeys: [...this.store.preKeys].map(([keyId, pair]) => ({ keyId, publicKey: rawPubKey(pair.pubKey) })),
    };
  }

  /** True when a pairwise session with that device exists, i.e. `encrypt` needs no bundle. */
  hasSession(remoteJid: string): boolean {
    return this.store.hasSession(jidToAddress(remoteJid).toString());
  }

  /** Forgets the session (e.g. the peer re-linked with a new identity); the next send needs a bundle. */
  resetSession(remoteJid: string): void {
    this.store.deleteSession(jidToAddress(remoteJid).toString());
  }

  /**
   * Encrypts a WAProto message for one Baileys device. Without an open session a bundle
   * (from that device's upload) is required and the result is a `pkmsg`; libsignal keeps
   * sending `pkmsg` until the peer answers, after which messages are `msg`.
   */
  async encrypt(remoteJid: string, message: proto.IMessage, bundle?: DeviceBundle): Promise<EncPayload> {
    return this.encryptBytes(remoteJid, proto.Message.encode(message).finish(), bundle);
  }

  async encryptBytes(remoteJid: string, plaintext: Uint8Array, bundle?: DeviceBundle): Promise<EncPayload> {
    const address = jidToAddress(remoteJid);
    if (!this.store.hasSession(address.toString())) {
      if (!bundle) throw new Error(`no Signal session with ${remoteJid}: pass its prekey bundle`);
      await new libsignal.SessionBuilder(this.store, address).initOutgoing({
        registrationId: bundle.registrationId,
        identityKey: signalPubKey(bundle.identityKey),
        signedPreKey: { ...bundle.signedPreKey, publicKey: signalPubKey(bundle.signedPreKey.publicKey) },
        // libsignal accepts a missing one-time prekey at runtime; its .d.ts says otherwise.
        preKey: (bundle.preKey
          ? { keyId: bundle.preKey.keyId, publicKey: signalPubKey(bundle.preKey.publicKey) }
          : undefined) as any,
      });
    }
    const cipher = new libsignal.SessionCipher(this.store, address);
    const { type, body } = await cipher.encrypt(padRandomMax16(plaintext));
    // libsignal returns the body as a binary string; Baileys converts it the same way.
    return { type: type === PREKEY_WHISPER_TYPE ? 'pkmsg' : 'msg', ciphertext: Buffer.from(body, 'binary') };
  }

  /**
   * Decrypts a `pkmsg`/`msg`/`skmsg` a Baileys device sent to this device. `remoteJid` is the
   * sending device; `groupJid` is needed for `skmsg` only. A sender key distribution inside a
   * pairwise message is processed on the way, so the `skmsg` in the same stanza decrypts next.
   */
  async decrypt(remoteJid: string, payload: EncPayload, groupJid?: string): Promise<proto.Message> {
    const plaintext = await this.decryptBytes(remoteJid, payload, groupJid);
    const message = proto.Message.decode(plaintext);
    const skdm = message.senderKeyDistributionMessage;
    if (skdm?.groupId && skdm.axolotlSenderKeyDistributionMessage) {
      await this.groups.processDistribution(skdm.groupId, remoteJid, skdm.axolotlSenderKeyDistributionMessage);
    }
    return message;
  }

  async decryptBytes(remoteJid: string, payload: EncPayload, groupJid?: string): Promise<Uint8Array> {
    if (payload.type === 'skmsg') {
      if (!groupJid) throw new Error('skmsg needs the group JID');
      return unpadRandomMax16(await this.groups.decrypt(groupJid, remoteJid, payload.ciphertext));
    }
    const cipher = new libsignal.SessionCipher(this.store, jidToAddress(remoteJid));
    const padded =
      payload.type === 'pkmsg'
        ? await cipher.decryptPreKeyWhisperMessage(payload.ciphertext)
        : await cipher.decryptWhisperMessage(payload.ciphertext);
    return unpadRandomMax16(padded);
  }
}
