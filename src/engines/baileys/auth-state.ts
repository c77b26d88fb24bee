/**
 * Baileys auth state over wafleet's AuthStatePort (encrypted, in the database) instead of
 * Baileys' useMultiFileAuthState folder of JSON files.
 *
 * Layout: creds under (category "creds", key "creds"); each Signal key under (category = its
 * SignalDataTypeMap type, key = its id). Values are JSON with Baileys' BufferJSON so Buffers and
 * Uint8Arrays survive. One keys.set() call becomes exactly one port.write(), which the repository
 * commits atomically: a crash never leaves half of a key set written.
 *
 * Wrapping decision (for the engine author):
 * - addTransactionCapability: do NOT add it; makeWASocket already wraps authState.keys with it
 *   (Socket/socket.js). Inside a keys.transaction() (every Signal encrypt/decrypt, session
 *   migration) all mutations are buffered and committed as ONE set() → one atomic write here.
 *   Outside a transaction it splits a multi-type set() into one set() per type (run in parallel),
 *   so those become several atomic writes. That is Baileys' behaviour and no store can undo it;
 *   the case that matters is saveIdentity (session delete + new identity key, before decrypting a
 *   pkmsg): a crash between the two leaves a stale session that Signal replaces on the next pkmsg.
 *   Both behaviours are pinned by test/unit/auth-state-baileys-signal.test.ts.
 * - makeCacheableSignalKeyStore: DO wrap, with a fresh cache per socket (never shared between
 *   sockets or sessions, never kept across a lease handover). Without it every decrypt re-reads and
 *   re-decrypts the same session/identity rows from the database. It updates its cache before our
 *   write; if a write fails (store down, stale fencing token) the cache is ahead of the database, so
 *   the engine must end that socket and build a new cache on reconnect.
 *   e.g. `keys: makeCacheableSignalKeyStore(state.keys, logger)` in the socket config.
 */
import { BufferJSON, initAuthCreds, proto } from 'baileys';
import type { AuthenticationCreds, AuthenticationState, SignalDataSet, SignalDataTypeMap, SignalKeyStore } from 'baileys';
import type { AuthStatePort } from '../engine.ts';
import { AppError, isAppError } from '../../errors/app-error.ts';

export const CREDS_CATEGORY = 'creds';
export const CREDS_KEY = 'creds';

export interface BaileysAuthState {
  state: AuthenticationState;
  /** Persist state.creds as it is now; call on every 'creds.update' event. */
  saveCreds(): Promise<void>;
}

export interface BaileysAuthStateOptions {
  /**
   * Called when a Signal key row fails to decrypt or parse, before the error is thrown to Baileys.
   * Needed because Baileys swallows errors from session reads (libsignal loadSession returns null on
   * any error), so a corrupt session row only shows up as "No session record": use this to log it
   * and count it in the session's health.
   */
  onCorruptKey?(error: AppError): void;
  /**
   * Every LID ↔ phone pair Baileys stores in its mapping store (`lid-mapping` keys), whatever taught it
   * (message attributes, usync, history sync, app state): the one place all of them pass through.
   */
  onLidMappings?(pairs: LidMapping[]): void;
}

export interface LidMapping {
  lid: string;
  phoneJid: string;
}

/**
 * The pairs in one `lid-mapping` write: Baileys stores `<phone user>: <lid user>` plus the reverse
 * entry `<lid user>_reverse: <phone user>`; the forward entries say it all.
 */
export function lidMappingsOf(data: SignalDataSet): LidMapping[] {
  const entries = (data as Record<string, Record<string, unknown> | undefined>)['lid-mapping'];
  if (!entries) return [];
  const pairs: LidMapping[] = [];
  for (const [key, value] of Object.entries(entries)) {
    if (key.endsWith('_reverse') || typeof value !== 'string' || !/^\d+$/.test(key) || !/^\d+$/.test(value)) continue;
    pairs.push({ lid: `${value}@lid`, phoneJid: `${key}@s.whatsapp.net` });
  }
  return pairs;
}

type SignalType = keyof SignalDataTypeMap;
type PortWrite = Parameters<AuthStatePort['write']>[0][number];

export function encodeValue(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, BufferJSON.replacer), 'utf8');
}

export function decodeValue(bytes: Buffer, category: string, keyId: string): any {
  try {
    return JSON.parse(bytes.toString('utf8'), BufferJSON.reviver);
  } catch {
    // Decrypted fine but is not our JSON: report like any other corruption, naming the row only.
    throw new AppError('AUTH_STATE_CORRUPT', `Auth state (category "${category}", key "${keyId}") is not valid JSON after decryption.`, { category, keyId });
  }
}

function reviveSignalValue<T extends SignalType>(type: T, value: any): SignalDataTypeMap[T] {
  // Baileys calls protobuf methods on app-state sync keys; plain JSON would lack them.
  if (type === 'app-state-sync-key') return proto.Message.AppStateSyncKeyData.fromObject(value) as unknown as SignalDataTypeMap[T];
  return value as SignalDataTypeMap[T];
}

/** Flattens one keys.set() payload into one batch; a null value deletes the key. */
export function signalSetToWrites(data: SignalDataSet): PortWrite[] {
  const writes: PortWrite[] = [];
  for (const [category, entries] of Object.entries(data) as Array<[string, Record<string, unknown> | undefined]>) {
    if (!entries) continue;
    for (const [keyId, value] of Object.entries(entries)) {
      if (value === undefined) continue;
      writes.push({ category, keyId, value: value === null ? null : encodeValue(value) });
    }
  }
  return writes;
}

/**
 * Keys this socket looked up and the store did not have. makeCacheableSignalKeyStore caches only
 * what exists, and Baileys 7 looks up a `tctoken` for every recipient of every send (usually none
 * stored): without this, each send reads the database for keys it already knows are missing.
 * Coherent because one socket is the only writer of its session's auth state and every write passes
 * through set() below. Bounded: past MAX_ABSENT entries it starts over.
 */
const MAX_ABSENT = 10_000;

class KnownAbsentKeys {
  private readonly keys = new Set<string>();

  has(category: string, keyId: string): boolean {
    return this.keys.has(`${category}\u0000${keyId}`);
  }

  add(category: string, keyId: string): void {
    if (this.keys.size >= MAX_ABSENT) this.keys.clear();
    this.keys.add(`${category}\u0000${keyId}`);
  }

  delete(category: string, keyId: string): void {
    this.keys.delete(`${category}\u0000${keyId}`);
  }
}

export async function loadBaileysAuthState(port: AuthStatePort, options: BaileysAuthStateOptions = {}): Promise<BaileysAuthState> {
  const stored = (await port.get(CREDS_CATEGORY, [CREDS_KEY])).get(CREDS_KEY);
  const creds: AuthenticationCreds = stored ? decodeValue(stored, CREDS_CATEGORY, CREDS_KEY) : initAuthCreds();

  const absent = new KnownAbsentKeys();
  const keys: SignalKeyStore = {
    async get(type, ids) {
      const unknown = ids.filter((id) => !absent.has(type, id));
      if (unknown.length === 0) return {};
      try {
        const found = await port.get(type, unknown);
        for (const id of unknown) if (!found.has(id)) absent.add(type, id);
        // Missing ids are left out (not null), as Baileys' own stores and cache expect.
        const result: { [id: string]: SignalDataTypeMap[typeof type] } = {};
        for (const [id, bytes] of found) result[id] = reviveSignalValue(type, decodeValue(bytes, type, id));
        return result;
      } catch (error) {
        if (isAppError(error) && error.code === 'AUTH_STATE_CORRUPT') options.onCorruptKey?.(error);
        throw error;
      }
    },
    async set(data) {
      // Serialized now, synchronously: later mutation of the objects by Baileys cannot change the batch.
      const writes = signalSetToWrites(data);
      for (const write of writes) {
        if (write.value === null) absent.add(write.category, write.keyId);
        else absent.delete(write.category, write.keyId);
      }
      if (writes.length > 0) await port.write(writes);
      const mappings = options.onLidMappings ? lidMappingsOf(data) : [];
      if (mappings.length > 0) options.onLidMappings?.(mappings);
    },
  };

  return {
    state: { creds, keys },
    // The port applies writes in call order, so an older creds snapshot never overwrites a newer one.
    saveCreds: () => port.write([{ category: CREDS_CATEGORY, keyId: CREDS_KEY, value: encodeValue(creds) }]),
  };
}
