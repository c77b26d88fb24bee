/** Cluster nodes (admin): state, sessions, CPU/memory/latency charts. Hidden while GET /v1/nodes answers 404. */
import { useMemo, useState } from 'preact/hooks';
import { call } from '../api/client.ts';
import type { ClusterNode, NodeStatsPoint } from '../api/types.ts';
import { TimeChart } from '../components/chart.tsx';
import { Alert, Section, Table, useAction, useLoad } from '../components/ui.tsx';
import { nodeRows } from './nodes-view.ts';

export function NodesTable({ nodes, now, onPick, onDrain, onActivate }: { nodes: ClusterNode[]; now: number; onPick?: (id: string) => void; onDrain?: (id: string) => void; onActivate?: (id: string) => void }) {
  return (
    <Table caption="Nodes">
      <thead><tr><th scope="col">Node</th><th scope="col">State</th><th scope="col">Load</th><th scope="col">CPU</th><th scope="col">Memory</th><th scope="col">API latency</th><th scope="col">Heartbeat</th><th scope="col">Version</th><th scope="col">Tags</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>
        {nodeRows(nodes, now).map((row) => (
          <tr data-node={row.id}>
            <td>{onPick ? <button type="button" class="link" onClick={() => onPick(row.id)}>{row.id}</button> : row.id}</td>
            <td><span class={`badge node-${row.state}`}>{row.state}</span>{row.stale ? ' (late heartbeat)' : ''}</td>
            <td>{row.load}</td><td>{row.cpu}</td><td>{row.memory}</td><td>{row.latency}</td><td>{row.heartbeat}</td><td>{row.version}</td><td>{row.tags}</td>
            <td class="row-actions">
              {row.state === 'active' && onDrain ? <button type="button" onClick={() => onDrain(row.id)}>Drain</button> : null}
              {row.state === 'draining' && onActivate ? <button type="button" onClick={() => onActivate(row.id)}>Activate</button> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

export function NodesPage() {
  const nodes = useLoad(() => call<{ items: ClusterNode[] }>('nodes'));
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const action = useAction();
  const act = (name: 'drainNode' | 'activateNode') => (id: string) => action.run(async () => { await call(name, { params: { id } }); nodes.reload(); });
  return (
    <>
      <Section title="Nodes" actions={<button type="button" onClick={() => nodes.reload()}>Refresh</button>}>
        <Alert message={nodes.error ?? action.error} />
        <NodesTable nodes={nodes.data?.items ?? []} now={Date.now()} onPick={setPicked} onDrain={act('drainNode')} onActivate={act('activateNode')} />
      </Section>
      {picked ? <NodeCharts id={picked} /> : null}
    </>
  );
}

function NodeCharts({ id }: { id: string }) {
  const stats = useLoad(() => call<{ items: NodeStatsPoint[] }>('nodeStats', { params: { id }, query: { from: Date.now() - 3_600_000, to: Date.now() } }), [id]);
  const points = stats.data?.items ?? [];
  const times = useMemo(() => points.map((p) => p.at), [stats.data]);
  return (
    <Section title={`Node ${id}, last hour`}>
      <Alert message={stats.error} />
      <TimeChart title="CPU %" times={times} series={[{ label: 'cpu %', color: '#1d6fd8', values: points.map((p) => p.cpuPercent) }]} />
      <TimeChart title="Memory (MiB)" times={times} series={[{ label: 'rss MiB', color: '#0a8754', values: points.map((p) => Math.round(p.rssBytes / 1048576)) }]} />
      <TimeChart title="Latency (ms)" times={times} series={[
        { label: 'api p95', color: '#7b3fbf', values: points.map((p) => p.apiP95Ms) },
        { label: 'api p99', color: '#c62828', values: points.map((p) => p.apiP99Ms) },
        { label: 'loop lag', color: '#b26a00', values: points.map((p) => p.eventLoopLagMs) },
      ]} />
    </Section>
  );
}
