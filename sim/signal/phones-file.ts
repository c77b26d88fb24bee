import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { AppStateSyncKey } from './bootstrap.ts';
import type { VirtualDeviceSnapshot } from './virtual-device.ts';

/*
 * Side file for the simulated phones' Signal state (identities, prekeys, sessions, sender keys,
 * app-state keys). Without it a restarted simulator gives every phone new keys, and Baileys
 * clients keep encrypting to sessions the phone no longer has.
 */

export interface PhoneSnapshot {
  device: VirtualDeviceSnapshot;
  appStateKeys?: Array<{ keyId: string; keyData: string; timestamp: number }>;
}

export type PhonesSnapshot = Record<string, PhoneSnapshot>;

export function encodeAppStateKeys(keys: AppStateSyncKey[]): PhoneSnapshot['appStateKeys'] {
  return keys.map((k) => ({ keyId: Buffer.from(k.keyId).toString('base64'), keyData: Buffer.from(k.keyData).toString('base64'), timestamp: k.timestamp }));
}

export function decodeAppStateKeys(keys: NonNullable<PhoneSnapshot['appStateKeys']>): AppStateSyncKey[] {
  return keys.map((k) => ({ keyId: Buffer.from(k.keyId, 'base64'), keyData: Buffer.from(k.keyData, 'base64'), timestamp: k.timestamp }));
}

export function readPhonesFile(file: string): PhonesSnapshot {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf-8')) as PhonesSnapshot) : {};
}

/** Atomic replace, so a crash mid-write never leaves a truncated file. */
export function writePhonesFile(file: string, snapshot: PhonesSnapshot): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(snapshot));
  renameSync(tmp, file);
}
