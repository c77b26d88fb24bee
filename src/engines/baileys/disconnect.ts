/** Maps a Baileys close status code to wafleet's disconnect reason. Pure; table-tested. */
import type { DisconnectReason } from '../engine.ts';

export interface MappedDisconnect {
  reason: DisconnectReason;
  retryable: boolean;
}

const BY_STATUS: Record<number, MappedDisconnect> = {
  401: { reason: 'logged_out', retryable: false },
  403: { reason: 'error', retryable: false },
  408: { reason: 'connection_lost', retryable: true },
  411: { reason: 'error', retryable: false },
  428: { reason: 'connection_lost', retryable: true },
  440: { reason: 'replaced', retryable: false },
  500: { reason: 'error', retryable: true },
  503: { reason: 'connection_lost', retryable: true },
  515: { reason: 'restart_required', retryable: true },
};

export function mapDisconnect(statusCode: number | undefined): MappedDisconnect {
  if (statusCode === undefined) return { reason: 'connection_lost', retryable: true };
  return BY_STATUS[statusCode] ?? { reason: 'error', retryable: true };
}
