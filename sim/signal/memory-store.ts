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
export class MemorySignalStore implements SignalStorage {
  private readonly sessions = new Map<string, Uint8Array>();
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
    return raw ? libsignal.SessionRecord.deserialize(raw) : undefined;
  }

  async storeSession(id: string, session: libsignal.SessionRecord): Promise<void> {
    // Serialize on store so later mutations of the record object cannot leak into the store.
    this.sessions.set(id, session.serialize());
  }

  hasSession(id: string): boolean {
    const raw = this.sessions.get(id);
    return !!raw && libsignal.SessionRecord.deserialize(raw).haveOpenSession();
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
}
