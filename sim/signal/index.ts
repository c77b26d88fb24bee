/**
 * sim/signal: the simulated phones' Signal side. See README.md for how the server wires it in.
 * It depends on Baileys and libsignal only — never on sim/server or sim/state (they import
 * from here); the host it plugs into is described structurally in host.ts.
 */
export { jidToAddress } from './address.ts';
export {
  type AppStateSyncKey,
  buildAppStateKeyShare,
  buildInitialBootstrapNotification,
  buildInitialHistorySync,
  generateAppStateSyncKey,
  type InitialBootstrapOptions,
} from './bootstrap.ts';
export { buildKeyBundleUser, parseKeyBundleUser, parsePreKeyUpload, takeBundle } from './bundle.ts';
export {
  buildEncNode,
  buildEncNodeFor,
  buildMessageStanza,
  encNodesOf,
  type MessageStanzaOptions,
  readEncNode,
  stanzaTypeFor,
} from './enc-node.ts';
export { MemorySignalStore, type StoreSnapshot } from './memory-store.ts';
export { padRandomMax16, unpadRandomMax16 } from './padding.ts';
export { buildPostLinkBootstrap, type PostLinkBootstrap, type PostLinkOptions } from './post-link.ts';
export type { DeviceBundle, EncPayload, PreKeyPublic, SignedPreKeyPublic, UploadedKeys } from './types.ts';
export { type AddressedEnc, type BundleLookup, type InboxEntry, VirtualContact } from './virtual-contact.ts';
export { VirtualDevice, type VirtualDeviceOptions, type VirtualDeviceSnapshot } from './virtual-device.ts';
export { contactRoutes } from './contact-routes.ts';
export type { HostAdminRoute, PhoneAccount, PhoneHost, PhoneStore } from './host.ts';
export { SignalPhones } from './phones.ts';
