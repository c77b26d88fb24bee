import { type BinaryNode, generateMessageID } from 'baileys';
import {
  type AppStateSyncKey,
  buildAppStateKeyShare,
  buildInitialBootstrapNotification,
  generateAppStateSyncKey,
  type InitialBootstrapOptions,
} from './bootstrap.ts';
import { buildEncNode, buildMessageStanza } from './enc-node.ts';
import type { DeviceBundle } from './types.ts';
import type { VirtualDevice } from './virtual-device.ts';

export interface PostLinkOptions {
  /** The account's primary phone: a VirtualDevice whose keys are in the key directory as device 0. */
  primary: VirtualDevice;
  /** The new companion's device JID, e.g. `5511999:3@s.whatsapp.net` (the form the sim uses for it). */
  companionJid: string;
  /** The companion's bundle from its prekey upload (needed unless the primary already has a session). */
  companionBundle?: DeviceBundle;
  /** The account's own device-0 JID the stanzas come from, e.g. `5511999@s.whatsapp.net`. */
  fromJid: string;
  /** Reuse existing keys (e.g. for a second companion); default: one fresh key. */
  appStateKeys?: AppStateSyncKey[];
  history?: InitialBootstrapOptions;
  /** Unix seconds for the stanzas; default now. */
  t?: number;
}

export interface PostLinkBootstrap {
  /** The app-state keys the companion now holds; keep them to build/verify app-state patches. */
  appStateKeys: AppStateSyncKey[];
  /** `<message category="peer">` stanzas to deliver to the companion, in this order. */
  stanzas: BinaryNode[];
}

/**
 * What a real phone sends right after linking: the app-state key share, then the
 * INITIAL_BOOTSTRAP history notification, each Signal-encrypted from device 0 to the companion.
 * The first is a `pkmsg` (X3DH from the companion's bundle); the second is also a `pkmsg`
 * because the companion has not replied yet — that is normal Signal behaviour.
 * Deliver them after the companion's `<success>`/offline marker: Baileys starts waiting for
 * history only once the offline queue is drained, and buffers events until it arrives.
 */
export async function buildPostLinkBootstrap(options: PostLinkOptions): Promise<PostLinkBootstrap> {
  const { primary, companionJid, companionBundle, fromJid } = options;
  const appStateKeys = options.appStateKeys ?? [generateAppStateSyncKey()];
  const messages = [buildAppStateKeyShare(appStateKeys), buildInitialBootstrapNotification(options.history)];
  const stanzas: BinaryNode[] = [];
  for (const message of messages) {
    const enc = await primary.encrypt(companionJid, message, companionBundle);
    stanzas.push(
      buildMessageStanza(
        // `category=peer` makes Baileys answer with a `peer_msg` receipt, as for a real phone.
        { id: generateMessageID(), from: fromJid, t: options.t, type: 'text', category: 'peer', attrs: { push_priority: 'high_force' } },
        [buildEncNode(enc)],
      ),
    );
  }
  return { appStateKeys, stanzas };
}
