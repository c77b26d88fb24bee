/** Every metric the Grafana dashboard and the Prometheus alerts query is one wafleet exports at /metrics. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createTestApp } from '../helpers/test-app.ts';

const DEPLOY = new URL('../../deploy/', import.meta.url).pathname;

/** `# TYPE name kind` lines: exported even before a labelled series has a sample. */
function exportedFamilies(text: string): Map<string, string> {
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

function queriedMetrics(expressions: string[]): string[] {
  return [...new Set(expressions.flatMap((expr) => [...expr.matchAll(/\bwafleet_[a-z0-9_]+/g)].map((m) => m[0])))].sort();
}

function missingFrom(families: Map<string, string>, names: string[]): string[] {
  return names.filter((name) => {
    if (families.has(name)) return false;
    const base = name.replace(/_(bucket|sum|count)$/, '');
    return !['histogram', 'summary'].includes(families.get(base) ?? '');
  });
}

test('the dashboard and the alert rules query only metrics /metrics exports', async (t) => {
  const app = await createTestApp();
  t.after(() => app.close());
  await app.request({ method: 'GET', url: '/v1/tenants' });
  const metrics = await app.request({ method: 'GET', url: '/metrics', key: null });
  assert.equal(metrics.statusCode, 200);
  const families = exportedFamilies(metrics.body);

  const dashboard = JSON.parse(readFileSync(`${DEPLOY}grafana/wafleet.json`, 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }>; templating: { list: Array<{ definition?: string }> } };
  const panelExprs = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
  const dashboardMetrics = queriedMetrics([...panelExprs, ...dashboard.templating.list.map((v) => v.definition ?? '')]);
  assert.ok(dashboardMetrics.length >= 15, `the dashboard covers the metrics: ${dashboardMetrics.join(', ')}`);
  assert.deepEqual(missingFrom(families, dashboardMetrics), []);
  const titles = dashboard.panels.map((panel) => panel.title.toLowerCase()).join(' | ');
  for (const topic of ['sessions by status', 'messages in / out / failed', 'queue depth', 'webhook success', 'webhook latency', 'dead letters', 'api latency', 'event-loop lag', 'memory']) {
    assert.ok(titles.includes(topic), `a panel for ${topic}`);
  }

  const alerts = readFileSync(`${DEPLOY}prometheus/alerts.yml`, 'utf8');
  const alertExprs = [...alerts.matchAll(/expr: (\|\n(?:\s{10}.*\n)+|.*)/g)].map((m) => m[1]!);
  assert.deepEqual(missingFrom(families, queriedMetrics(alertExprs)), []);
});
