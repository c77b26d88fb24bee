import type { BinaryNode } from 'baileys';
import type { UploadedKeys } from './types.ts';

/*
 * What the simulated phones need from the simulator, stated structurally. sim/server's
 * SimContext, SimStore and records satisfy these as they are; declaring them here (instead of
 * importing sim/server types) keeps sim/signal a leaf: sim/state imports types from
 * sim/signal, so importing back would make a dependency cycle.
 */

export interface PhoneAccount {
  phone: string;
  lid: string;
  name: string;
  /** The account's ADV key pair; when present it is device 0's Signal identity, as on a real phone. */
  accountKey?: { private: Uint8Array; public: Uint8Array };
}

export interface PhoneStore {
  account(phone: string): PhoneAccount | undefined;
  accountByUser(user: string, server: string): PhoneAccount | undefined;
  ensureAccount(phone: string, name?: string): PhoneAccount;
  keys(phone: string, device: number): UploadedKeys | undefined;
  setKeys(phone: string, device: number, keys: UploadedKeys): void;
  /** Marks the store dirty (prekeys were consumed). */
  changed(): void;
}

export interface PhoneHost {
  readonly store: PhoneStore;
  readonly stats: { messagesRelayed: number };
  /** Sends to a device now, or queues it offline. */
  deliver(phone: string, device: number, node: BinaryNode): unknown;
  /** Device ids of an account (companions plus device 0). */
  deviceIds(account: PhoneAccount): number[];
}

/** Shape of an admin route as sim/admin serves it. */
export interface HostAdminRoute {
  method: 'GET' | 'POST' | 'DELETE';
  path: RegExp;
  handler(req: { params: Record<string, string>; body: any; query: URLSearchParams }):
    | Promise<{ status?: number; body: unknown }>
    | { status?: number; body: unknown };
}
