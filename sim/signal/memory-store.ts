import libsignal from 'libsignal';
import type { SignalStorage } from 'libsignal';
import { SenderKeyRecord } from 'baileys/lib/Signal/Group/sender-key-record.js';
import type { SenderKeyName } from 'baileys/lib/Signal/Group/sender-key-name.js';

export interface KeyPairBuffers {
  pubKey: Buffer; // 33 bytes, 0x05-prefixed (libsignal form)
  privKey: Buffer; // 32 bytes
}

export interface SignedPreKeyPair {
  keyId: number;
  keyPair: KeyPairBuffers;
  signature: Buffer;
}

/**
 * In-memory Signal store for one virtual device: the libsignal `SignalStorage` contract for
 * pairwise sessions plus the sender-key store Baileys' group cipher expects.
 * Trust is on first use, like WhatsApp Web: a peer's identity is recorded, never rejected,
 * so a re-linked Baileys device (new identity) simply starts a new session.
 */
/** JSON-safe snapshot of a store (binary as base64), for the simulator's state file. */
export interface StoreSnapshot {
  registrationId: number;
  identity: { pub: string; priv: string };
  signedPreKey: { keyId: number; pub: string; priv: string; signature: string };
  preKeys: Array<{ keyId: number; pub: string; priv: string }>;
  sessions: Record<string, string>;
  senderKeys: Record<string, string>;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64');

export class MemorySignalStore implements SignalStorage {
  // libsignal's SessionRecord.serialize() yields a JSON-safe object (its .d.ts says Uint8Array);
  // keeping it as a JSON string isolates stored state from live record objects.
  private readonly sessions = new Map<string, string>();
  private readonly identities = new Map<string, Uint8Array>();
  private readonly senderKeys = new Map<string, string>();

  constructor(
    readonly registrationId: number,
    readonly identity: KeyPairBuffers,
    readonly signedPreKey: SignedPreKeyPair,
    /** One-time prekeys still unused, by id. */
    readonly preKeys: Map<number, KeyPairBuffers>,
  ) {}

  async loadSession(id: string): Promise<libsignal.SessionRecord | undefined> {
    const raw = this.sessions.get(id);
    return raw ? libsignal.SessionRecord.deserialize(JSON.parse(raw)) : undefined;
  }

  async storeSession(id: string, session: libsignal.SessionRecord): Promise<void> {
    this.sessions.set(id, JSON.stringify(session.serialize()));
  }

  hasSession(id: string): boolean {
    const raw = this.sessions.get(id);
    return !!raw && libsignal.SessionRecord.deserialize(JSON.parse(raw)).haveOpenSession();
  }

  deleteSession(id: string): void {
    this.sessions.delete(id);
  }

  isTrustedIdentity(identifier: string, identityKey: Uint8Array): boolean {
    this.identities.set(identifier, identityKey);
    return true;
  }

  async loadPreKey(id: number | string): Promise<KeyPairBuffers | undefined> {
    return this.preKeys.get(Number(id));
  }

  removePreKey(id: number): void {
    this.preKeys.delete(Number(id));
  }

  loadSignedPreKey(): KeyPairBuffers {
    return this.signedPreKey.keyPair;
  }

  getOurRegistrationId(): number {
    return this.registrationId;
  }

  getOurIdentity(): KeyPairBuffers {
    return this.identity;
  }

  async loadSenderKey(name: SenderKeyName): Promise<SenderKeyRecord> {
    const raw = this.senderKeys.get(name.toString());
    return raw ? SenderKeyRecord.deserialize(Buffer.from(raw, 'utf-8')) : new SenderKeyRecord();
  }

  async storeSenderKey(name: SenderKeyName, record: SenderKeyRecord): Promise<void> {
    this.senderKeys.set(name.toString(), JSON.stringify(record.serialize()));
  }

  snapshot(): StoreSnapshot {
    const { signedPreKey } = this;
    return {
      registrationId: this.registrationId,
      identity: { pub: b64(this.identity.pubKey), priv: b64(this.identity.privKey) },
      signedPreKey: {
        keyId: signedPreKey.keyId,
        pub: b64(signedPreKey.keyPair.pubKey),
        priv: b64(signedPreKey.keyPair.privKey),
        signature: b64(signedPreKey.signature),
      },
      preKeys: [...this.preKeys].map(([keyId, pair]) => ({ keyId, pub: b64(pair.pubKey), priv: b64(pair.privKey) })),
      sessions: Object.fromEntries(this.sessions),
      senderKeys: Object.fromEntries(this.senderKeys),
    };
  }

  static restore(snap: StoreSnapshot): MemorySignalStore {
    const store = new MemorySignalStore(
      snap.registrationId,
      { pubKey: unb64(snap.identity.pub), privKey: unb64(snap.identity.priv) },
      {
        keyId: snap.signedPreKey.keyId,
        keyPair: { pubKey: unb64(snap.signedPreKey.pub), privKey: unb64(snap.signedPreKey.priv) },
        signature: unb64(snap.signedPreKey.signature),
      },
      new Map(snap.preKeys.map((k) => [k.keyId, { pubKey: unb64(k.pub), privKey: unb64(k.priv) }])),
    );
    for (const [id, json] of Object.entries(snap.sessions)) store.sessions.set(id, json);
    for (const [id, json] of Object.entries(snap.senderKeys)) store.senderKeys.set(id, json);
    return store;
  }
}
