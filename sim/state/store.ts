import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import { type BinaryNode, BufferJSON } from 'baileys';
import { randomKeyPair } from '../server/keys.ts';
import type { UploadedKeys } from '../signal/index.ts';
import type { AccountRecord, DeviceRecord, SimStateData } from './types.ts';

export const deviceKey = (phone: string, device: number): string => `${phone}:${device}`;

/**
 * In-memory simulator state (accounts, devices, key directory, offline queues) with optional
 * JSON persistence. Writes are debounced; `flush()` writes synchronously (used by stop()).
 */
export class SimStore {
  private data: SimStateData;
  private saveTimer: NodeJS.Timeout | undefined;
  /** lid → phone: LID lookups happen on every usync, prekey fetch and relayed stanza. */
  private readonly byLid = new Map<string, string>();

  constructor(private readonly file?: string) {
    this.data = { version: 1, accounts: {}, keys: {}, offline: {} };
    if (file) {
      try {
        this.data = JSON.parse(readFileSync(file, 'utf8'), BufferJSON.reviver) as SimStateData;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    for (const account of Object.values(this.data.accounts)) this.byLid.set(account.lid, account.phone);
  }

  accounts(): AccountRecord[] {
    return Object.values(this.data.accounts);
  }

  account(phone: string): AccountRecord | undefined {
    return this.data.accounts[phone];
  }

  accountByLid(lid: string): AccountRecord | undefined {
    const phone = this.byLid.get(lid);
    return phone === undefined ? undefined : this.data.accounts[phone];
  }

  /** Resolves a user part from either domain: `s.whatsapp.net` (phone) or `lid`. */
  accountByUser(user: string, server: string): AccountRecord | undefined {
    return server === 'lid' ? this.accountByLid(user) : this.account(user);
  }

  /** Returns the account for a phone, creating it (with a fresh LID and account key) when new. */
  ensureAccount(phone: string, name?: string): AccountRecord {
    const existing = this.data.accounts[phone];
    if (existing) {
      if (name) existing.name = name;
      return existing;
    }
    let lid: string;
    do lid = String(randomInt(10_000_000, 99_999_999)) + String(randomInt(1_000_000, 9_999_999));
    while (this.accountByLid(lid));
    const key = randomKeyPair();
    const account: AccountRecord = {
      phone,
      lid,
      name: name ?? phone,
      accountKey: { private: key.private, public: key.public },
      devices: {},
      nextDeviceId: 1,
      nextKeyIndex: 1,
      createdAt: Date.now(),
    };
    this.data.accounts[phone] = account;
    this.byLid.set(lid, phone);
    this.changed();
    return account;
  }

  addDevice(account: AccountRecord, device: Omit<DeviceRecord, 'id' | 'keyIndex' | 'linkedAt'>): DeviceRecord {
    const record: DeviceRecord = { ...device, id: account.nextDeviceId++, keyIndex: account.nextKeyIndex++, linkedAt: Date.now() };
    account.devices[String(record.id)] = record;
    this.changed();
    return record;
  }

  removeDevice(phone: string, id: number): boolean {
    const account = this.data.accounts[phone];
    if (!account?.devices[String(id)]) return false;
    delete account.devices[String(id)];
    delete this.data.keys[deviceKey(phone, id)];
    delete this.data.offline[deviceKey(phone, id)];
    this.changed();
    return true;
  }

  keys(phone: string, device: number): UploadedKeys | undefined {
    return this.data.keys[deviceKey(phone, device)];
  }

  setKeys(phone: string, device: number, keys: UploadedKeys): void {
    this.data.keys[deviceKey(phone, device)] = keys;
    this.changed();
  }

  enqueueOffline(phone: string, device: number, node: BinaryNode): void {
    (this.data.offline[deviceKey(phone, device)] ??= []).push(node);
    this.changed();
  }

  /** Puts unacknowledged stanzas back at the head of the queue (they are older than what is queued). */
  requeueOffline(phone: string, device: number, nodes: BinaryNode[]): void {
    if (!nodes.length || !this.data.accounts[phone]?.devices[String(device)]) return;
    const key = deviceKey(phone, device);
    this.data.offline[key] = [...nodes, ...(this.data.offline[key] ?? [])];
    this.changed();
  }

  takeOffline(phone: string, device: number): BinaryNode[] {
    const key = deviceKey(phone, device);
    const nodes = this.data.offline[key] ?? [];
    delete this.data.offline[key];
    if (nodes.length) this.changed();
    return nodes;
  }

  offlineCount(): number {
    return Object.values(this.data.offline).reduce((n, q) => n + q.length, 0);
  }

  /** Marks state dirty; persisted after a short debounce (keeps prekey uploads cheap). */
  changed(): void {
    if (!this.file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), 200);
    this.saveTimer.unref();
  }

  flush(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.file) return;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data, BufferJSON.replacer));
    renameSync(tmp, this.file);
  }
}
