import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { proto } from 'baileys';

/*
 * The two peer messages a primary phone (device 0) sends a freshly linked companion.
 * Baileys 7 (Socket/chats.ts) enters AwaitingInitialSync after the offline queue drains and
 * waits up to 20 s for a history-sync notification; an INITIAL_BOOTSTRAP one moves it to
 * Syncing, it then runs a full app-state resync (needs the key share to decrypt patches) and
 * goes Online. Both are protocol messages Baileys accepts only when `fromMe` — the stanza must
 * come from the account's own device 0 (see README).
 */

export interface AppStateSyncKey {
  /** Key id bytes; Baileys stores the key under its base64 form (`app-state-sync-key`). */
  keyId: Uint8Array;
  /** 32-byte key material from which app-state patch keys are expanded (HKDF). */
  keyData: Uint8Array;
  timestamp: number;
}

/** A fresh app-state sync key, kept by the sim so it can also build or verify app-state patches. */
export function generateAppStateSyncKey(now = Date.now()): AppStateSyncKey {
  return { keyId: randomBytes(6), keyData: randomBytes(32), timestamp: now };
}

/** protocolMessage APP_STATE_SYNC_KEY_SHARE carrying the given keys (newest last: Baileys uses the last as current). */
export function buildAppStateKeyShare(keys: AppStateSyncKey[]): proto.Message {
  return proto.Message.create({
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.APP_STATE_SYNC_KEY_SHARE,
      appStateSyncKeyShare: {
        keys: keys.map((key) => ({
          keyId: { keyId: key.keyId },
          keyData: {
            keyData: key.keyData,
            fingerprint: { rawId: randomBytes(4).readUInt32BE(0), currentIndex: 0, deviceIndexes: [0] },
            timestamp: key.timestamp,
          },
        })),
      },
    },
  });
}

export interface InitialBootstrapOptions {
  /** Chats to seed the companion with (default none: a new account's empty history). */
  conversations?: proto.IConversation[];
  pushnames?: proto.IPushname[];
  /** LID↔PN pairs the companion should learn (Baileys stores them in its LID mapping). */
  lidPnMappings?: Array<{ lid: string; pn: string }>;
}

/** The HistorySync blob itself (INITIAL_BOOTSTRAP, progress 100). */
export function buildInitialHistorySync(options: InitialBootstrapOptions = {}): proto.HistorySync {
  return proto.HistorySync.create({
    syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
    conversations: options.conversations ?? [],
    pushnames: options.pushnames ?? [],
    phoneNumberToLidMappings: (options.lidPnMappings ?? []).map(({ lid, pn }) => ({ lidJid: lid, pnJid: pn })),
    chunkOrder: 0,
    progress: 100,
  });
}

/**
 * protocolMessage HISTORY_SYNC_NOTIFICATION of type INITIAL_BOOTSTRAP with the history inline
 * (zlib-deflated HistorySync in `initialHistBootstrapInlinePayload`), so Baileys never has
 * to download a media blob for it.
 */
export function buildInitialBootstrapNotification(options: InitialBootstrapOptions = {}): proto.Message {
  const history = proto.HistorySync.encode(buildInitialHistorySync(options)).finish();
  return proto.Message.create({
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
      historySyncNotification: {
        syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
        initialHistBootstrapInlinePayload: deflateSync(history),
        chunkOrder: 0,
        progress: 100,
      },
    },
  });
}
