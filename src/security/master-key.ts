/**
 * The master key that encrypts auth state at rest (ARCHITECTURE.md invariant 4).
 *
 * Source, in order: WAFLEET_MASTER_KEY (base64 of exactly 32 bytes); otherwise, in embedded mode only,
 * `<dataDir>/master.key`, generated on first start. A cluster needs the variable: a key generated on
 * one node's disk would leave every other node unable to read the sessions it adopts.
 * Pure functions over their arguments; no module-level state. Error messages never echo a key.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../config/config.ts';

export const MASTER_KEY_BYTES = 32;
export const MASTER_KEY_VARIABLE = 'WAFLEET_MASTER_KEY';
export const MASTER_KEY_FILE = 'master.key';

export interface MasterKey {
  /** 32 secret bytes. Hand to createCipher(); never log. */
  key: Buffer;
  source: 'env' | 'file';
  /** True when this call created the key file: the caller should warn the operator to back it up. */
  generated: boolean;
  /** The key file, when the key came from (or was written to) one. */
  path?: string;
}

export interface LoadMasterKeyOptions {
  /** Raw WAFLEET_MASTER_KEY; undefined or blank means unset. */
  envValue: string | undefined;
  dataDir: string;
  /** Embedded (single node, SQLite) may generate a key file; a cluster must be given the key. Default true. */
  embedded?: boolean;
}

// Standard or URL-safe alphabet, optional padding; the length check below does the rest.
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Decodes a base64 master key; `origin` names where it came from in the error (a variable or a file). */
export function parseMasterKey(value: string, origin: string = MASTER_KEY_VARIABLE): Buffer {
  const text = value.trim();
  if (!BASE64.test(text)) {
    throw new ConfigError(origin, `must be ${MASTER_KEY_BYTES} bytes encoded as base64 (it is not valid base64)`);
  }
  const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== MASTER_KEY_BYTES) {
    throw new ConfigError(origin, `must be ${MASTER_KEY_BYTES} bytes encoded as base64 (it decodes to ${key.length} bytes); generate one with: openssl rand -base64 32`);
  }
  return key;
}

export async function loadMasterKey(options: LoadMasterKeyOptions): Promise<MasterKey> {
  const envValue = options.envValue?.trim();
  if (envValue) return { key: parseMasterKey(envValue), source: 'env', generated: false };
  if (options.embedded === false) {
    throw new ConfigError(MASTER_KEY_VARIABLE, 'is required in cluster mode: every node must decrypt the same auth state');
  }
  const path = join(options.dataDir, MASTER_KEY_FILE);
  const existing = await readKeyFile(path);
  if (existing) return { key: existing, source: 'file', generated: false, path };
  return createKeyFile(path, options.dataDir);
}

async function readKeyFile(path: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseMasterKey(text, `${MASTER_KEY_VARIABLE} (from file ${path})`);
}

async function createKeyFile(path: string, dataDir: string): Promise<MasterKey> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(MASTER_KEY_BYTES);
  // Write a private temp file, then link() it into place: the key file appears complete or not at all,
  // and link() fails with EEXIST when another process won the race, so both end up with one key.
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${key.toString('base64')}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readKeyFile(path);
    if (!winner) throw error;
    return { key: winner, source: 'file', generated: false, path };
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return { key, source: 'file', generated: true, path };
}
