/** Session status machine (ARCHITECTURE.md §4). Pure: no I/O. */

export const SESSION_STATUSES = [
  'STOPPED',
  'STARTING',
  'SCAN_QR',
  'WORKING',
  'RECONNECTING',
  'FAILED',
  'LOGGED_OUT',
] as const;

export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** What the operator asked for; survives restarts so running sessions are resumed. */
export type DesiredState = 'running' | 'stopped';

const TRANSITIONS: Readonly<Record<SessionStatus, readonly SessionStatus[]>> = {
  STOPPED: ['STARTING'],
  STARTING: ['SCAN_QR', 'WORKING', 'RECONNECTING', 'FAILED', 'LOGGED_OUT', 'STOPPED'],
  // STARTING: after a scan WhatsApp asks for a new connection (515), which then logs in.
  SCAN_QR: ['SCAN_QR', 'STARTING', 'WORKING', 'RECONNECTING', 'FAILED', 'LOGGED_OUT', 'STOPPED'],
  WORKING: ['RECONNECTING', 'FAILED', 'LOGGED_OUT', 'STOPPED'],
  RECONNECTING: ['STARTING', 'SCAN_QR', 'WORKING', 'RECONNECTING', 'FAILED', 'LOGGED_OUT', 'STOPPED'],
  FAILED: ['STARTING', 'STOPPED'],
  LOGGED_OUT: ['STARTING', 'STOPPED'],
};

export function canTransition(from: SessionStatus, to: SessionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Statuses in which an engine connection exists or is being made. */
export function isActive(status: SessionStatus): boolean {
  return status === 'STARTING' || status === 'SCAN_QR' || status === 'WORKING' || status === 'RECONNECTING';
}

export function isSessionStatus(value: string): value is SessionStatus {
  return (SESSION_STATUSES as readonly string[]).includes(value);
}
