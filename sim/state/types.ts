import type { BinaryNode } from 'baileys';
import type { UploadedKeys } from '../signal/index.ts';

/** A linked companion device (a Baileys client) of an account. Device 0 is the simulated phone. */
export interface DeviceRecord {
  id: number;
  /** Noise static public key captured at registration: the only credential a login presents. */
  noiseKey: Buffer;
  /** Signal identity public key (raw 32 bytes) from the registration payload. */
  identityKey: Buffer;
  registrationId: number;
  /** ADV key index, required on non-zero devices in usync device lists. */
  keyIndex: number;
  platform: string;
  pushName: string;
  linkedAt: number;
}

export interface AccountRecord {
  /** E.164 digits without '+', also the user part of `<phone>@s.whatsapp.net`. */
  phone: string;
  /** User part of `<lid>@lid`. */
  lid: string;
  name: string;
  /** "About" text (usync status protocol); set by the `status` IQ. */
  about?: string;
  aboutSetAt?: number;
  /** Users this account blocked (`<user>@s.whatsapp.net` or `@lid`). */
  blocked?: string[];
  /** The phone's ADV account key pair; it signs device identities (and is device 0's identity key). */
  accountKey: { private: Buffer; public: Buffer };
  devices: Record<string, DeviceRecord>;
  nextDeviceId: number;
  nextKeyIndex: number;
  createdAt: number;
}

/** Everything the simulator persists to its JSON state file. */
export interface SimStateData {
  version: 1;
  accounts: Record<string, AccountRecord>;
  /** Key directory: `<phone>:<device>` → what that device uploaded (prekeys are consumed on fetch). */
  keys: Record<string, UploadedKeys>;
  /** Stanzas waiting for a disconnected device: `<phone>:<device>` → nodes (sent with offline="1"). */
  offline: Record<string, BinaryNode[]>;
}
