/** Message analytics: per session and hour, counters kept as rollups as events happen. */

export const STAT_COUNTERS = ['sent', 'delivered', 'read', 'failed', 'received', 'webhookOk', 'webhookFailed'] as const;
export type StatCounter = (typeof STAT_COUNTERS)[number];
export type StatCounts = Record<StatCounter, number>;

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface StatsBucket extends StatCounts {
  tenantId: string;
  sessionId: string;
  /** Start of the hour (UTC), epoch ms. */
  bucketStart: number;
}

export function emptyCounts(): StatCounts {
  return { sent: 0, delivered: 0, read: 0, failed: 0, received: 0, webhookOk: 0, webhookFailed: 0 };
}

export function hourOf(timestamp: number): number {
  return Math.floor(timestamp / HOUR_MS) * HOUR_MS;
}

/** Which counter an event moves, if any. */
export function counterFor(type: string, payload: Record<string, unknown>): StatCounter | undefined {
  switch (type) {
    case 'message.sent':
      return 'sent';
    case 'message.failed':
      return 'failed';
    case 'message.received':
      return 'received';
    case 'message.ack':
      return payload.status === 'delivered' ? 'delivered' : payload.status === 'read' ? 'read' : undefined;
    default:
      return undefined;
  }
}

/** Hour buckets folded into days (UTC) when asked for `bucket=day`. */
export function foldBuckets(rows: StatsBucket[], bucketMs: number): StatsBucket[] {
  const folded = new Map<string, StatsBucket>();
  for (const row of rows) {
    const start = Math.floor(row.bucketStart / bucketMs) * bucketMs;
    const key = `${row.sessionId}\u0000${start}`;
    const into = folded.get(key) ?? { tenantId: row.tenantId, sessionId: row.sessionId, bucketStart: start, ...emptyCounts() };
    for (const counter of STAT_COUNTERS) into[counter] += row[counter];
    folded.set(key, into);
  }
  return [...folded.values()].sort((a, b) => a.sessionId.localeCompare(b.sessionId) || a.bucketStart - b.bucketStart);
}
