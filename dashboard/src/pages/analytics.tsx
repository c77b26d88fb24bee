/** Message analytics charts, per tenant (all its sessions) or per session, from GET /v1/analytics/messages. */
import { useMemo, useState } from 'preact/hooks';
import { call } from '../api/client.ts';
import type { Analytics, StatsRow } from '../api/types.ts';
import { TimeChart, type Series } from '../components/chart.tsx';
import { Alert, Field, Section, useLoad, value } from '../components/ui.tsx';

const DAY = 86_400_000;
const COLORS = { sent: '#1d6fd8', delivered: '#0a8754', read: '#7b3fbf', failed: '#c62828', received: '#b26a00' } as const;

/** Sums the rows of every session per bucket (rows arrive per session). */
export function byBucket(rows: StatsRow[]): { times: number[]; series: Series[] } {
  const buckets = [...new Set(rows.map((r) => r.bucketStart))].sort((a, b) => a - b);
  const series = (Object.keys(COLORS) as Array<keyof typeof COLORS>).map((name) => ({
    label: name,
    color: COLORS[name],
    values: buckets.map((start) => rows.filter((r) => r.bucketStart === start).reduce((sum, r) => sum + r[name], 0)),
  }));
  return { times: buckets, series };
}

export function AnalyticsChart({ session }: { session?: string }) {
  const [days, setDays] = useState('7');
  const stats = useLoad(() => {
    const to = Date.now() + 1;
    const span = Number(days) * DAY;
    return call<Analytics>('analytics', { query: { from: to - span, to, bucket: Number(days) <= 2 ? 'hour' : 'day', ...(session ? { session } : {}) } });
  }, [session, days]);
  const chart = useMemo(() => byBucket(stats.data?.items ?? []), [stats.data]);
  const totals = stats.data?.totals;
  return (
    <Section title={session ? `Messages of ${session}` : 'Messages of the tenant'} actions={
      <Field label="Period">
        <select value={days} onChange={(e) => setDays(value(e))}><option value="1">24 hours</option><option value="7">7 days</option><option value="30">30 days</option></select>
      </Field>
    }>
      <Alert message={stats.error} />
      {totals ? (
        <p class="totals">Sent {totals.sent} · delivered {totals.delivered} · read {totals.read} · failed {totals.failed} · received {totals.received} · webhooks ok {totals.webhookOk} / failed {totals.webhookFailed}</p>
      ) : null}
      {chart.times.length ? <TimeChart title="Messages per bucket" times={chart.times} series={chart.series} /> : <p class="muted">No messages in this period.</p>}
    </Section>
  );
}

export function AnalyticsPage() {
  return <AnalyticsChart />;
}
