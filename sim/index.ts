import { AdminServer } from './admin/admin-server.ts';
import { groupSendRoute } from './admin/group-send-route.ts';
import { type MediaCert, type MediaServer, startMediaServer } from './media/index.ts';
import { groupsExtension } from './server/groups-extension.ts';
import { mediaExtension } from './server/media-extension.ts';
import { presenceExtension } from './server/presence-extension.ts';
import { profileExtension } from './server/profile-extension.ts';
import { contactRoutes, SignalPhones } from './signal/index.ts';
import type { GroupStore } from './groups/index.ts';
import type { AdminRoute } from './admin/routes.ts';
import { createServerIdentity } from './server/keys.ts';
import { type SimExtension, SimServer } from './server/sim-server.ts';
import { SimStore } from './state/store.ts';

export type { AdminRoute } from './admin/routes.ts';
export type { SimExtension } from './server/sim-server.ts';
export { SimServer } from './server/sim-server.ts';
export { SimStore } from './state/store.ts';

export interface StartSimOptions {
  /** Interface to bind (default 127.0.0.1: the simulator is loopback-only by design). */
  host?: string;
  /** WebSocket port; 0 (default) picks a free one. */
  port?: number;
  /** Admin HTTP port; 0 (default) picks a free one. */
  adminPort?: number;
  /** JSON file holding accounts, devices, key directory and offline queues across restarts. */
  stateFile?: string;
  /** Derives the certificate root (and chain) deterministically, so a pinned root survives restarts. */
  rootSeed?: string;
  /** Added to every frame the server sends, plus uniform jitter. */
  latencyMs?: number;
  jitterMs?: number;
  /** Pause between the client's handshake finish and the first server frame (default 20 ms). */
  postHandshakeDelayMs?: number;
  /** QR refs per registration (default 6, as WhatsApp); fewer makes QR-expiry tests quick. */
  qrRefs?: number;
  /** Extra modules (groups, media, virtual phones) and their admin routes. */
  extensions?: SimExtension[];
  adminRoutes?: AdminRoute[];
  /**
   * Simulated phones (sim/signal): device 0 keys per account, the post-link bootstrap (app-state
   * key share + INITIAL_BOOTSTRAP history, so Baileys 7 does not wait 20 s) and virtual contacts
   * under /admin/contacts. Default on, unless a SignalPhones is passed in `extensions`.
   */
  virtualPhones?: boolean;
  /** HTTPS media host (sim/media) answering media_conn; default on. */
  media?: boolean;
  mediaPort?: number;
  /** Write the media host's self-signed certificate PEM here (NODE_EXTRA_CA_CERTS for clients). */
  mediaCertPath?: string;
  /** Serve this certificate (e.g. one the test process already trusts) instead of a fresh one. */
  mediaCert?: MediaCert;
}

export interface RunningSim {
  /** `ws://127.0.0.1:PORT/ws/chat` — give it to Baileys as `waWebSocketUrl`. */
  wsUrl: string;
  /** `http://127.0.0.1:PORT` — the admin API (routes under /admin). */
  adminUrl: string;
  /** Hex of the 32-byte root public key clients must pin (WA_CERT_DETAILS.PUBLIC_KEY). */
  rootPublicKey: string;
  sim: SimServer;
  /** The simulated phones wired by default (undefined when disabled or supplied by the caller). */
  phones: SignalPhones | undefined;
  /** "127.0.0.1:PORT" of the HTTPS media host, when enabled. */
  mediaHost: string | undefined;
  /** PEM of the media host's self-signed certificate (trust it via NODE_EXTRA_CA_CERTS). */
  mediaCertPem: string | undefined;
  media: MediaServer | undefined;
  /** Group state (sim/groups), for assertions and seeding. */
  groups: GroupStore;
  stop(): Promise<void>;
}

export async function startSim(options: StartSimOptions = {}): Promise<RunningSim> {
  const host = options.host ?? '127.0.0.1';
  const store = new SimStore(options.stateFile);
  const identity = createServerIdentity(options.rootSeed);
  const sim = new SimServer(store, identity, {
    host,
    port: options.port ?? 0,
    postHandshakeDelayMs: options.postHandshakeDelayMs ?? 20,
    latencyMs: options.latencyMs ?? 0,
    jitterMs: options.jitterMs ?? 0,
    ...(options.qrRefs ? { qrRefs: options.qrRefs } : {}),
  });
  sim.extensions.push(...(options.extensions ?? []));
  const adminRoutes = [...(options.adminRoutes ?? [])];
  let phones: SignalPhones | undefined;
  const callerPhones = (options.extensions ?? []).some((e) => e instanceof SignalPhones);
  if (options.virtualPhones !== false && !callerPhones) {
    const file = options.stateFile ? `${options.stateFile.replace(/\.json$/, '')}.phones.json` : undefined;
    phones = new SignalPhones(file ? { file } : {}).attach(sim);
    const wired = phones;
    sim.extensions.push(phones, {
      receiptToPhone: (account, node, sender) => {
        if (node.attrs.type === 'retry') void wired.handleRetry(account, node, sender).catch((err: Error) => wired.errors.push(`retry: ${err.message}`));
        return true;
      },
    });
    adminRoutes.push(...contactRoutes(phones));
  }
  const stateBase = options.stateFile?.replace(/\.json$/, '');
  const groups = groupsExtension(sim, stateBase ? `${stateBase}.groups.json` : undefined);
  sim.extensions.push(groups, presenceExtension(sim), profileExtension(sim));
  if (phones) adminRoutes.push(groupSendRoute(store, groups.groups, phones));
  let media: MediaServer | undefined;
  if (options.media !== false) {
    media = await startMediaServer({
      host,
      port: options.mediaPort ?? 0,
      ...(options.mediaCertPath ? { certPath: options.mediaCertPath } : {}),
      ...(options.mediaCert ? { cert: options.mediaCert } : {}),
    });
    sim.extensions.push(mediaExtension(media));
  }
  const admin = new AdminServer(sim, adminRoutes);
  const wsUrl = await sim.listen();
  const adminUrl = await admin.listen(host, options.adminPort ?? 0);
  let stopped = false;
  return {
    wsUrl,
    adminUrl,
    rootPublicKey: identity.root.public.toString('hex'),
    sim,
    phones,
    groups: groups.groups,
    mediaHost: media?.hostname,
    mediaCertPem: media?.certPem,
    media,
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all([sim.close(), admin.close(), media?.close()]);
      store.flush();
      phones?.flush();
      groups.flush();
    },
  };
}
