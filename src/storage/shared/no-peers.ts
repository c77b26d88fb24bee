import type { ClusterBus } from '../cluster-ports.ts';

/** The bus of a store that has no peers (SQLite: one process per data dir). */
export const NO_PEERS: ClusterBus = {
  enabled: false,
  listening: false,
  notify: () => Promise.resolve(),
  listen: () => Promise.resolve(),
  close: () => Promise.resolve(),
};
