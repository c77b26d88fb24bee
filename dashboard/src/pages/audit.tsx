/** The audit log, newest first, with filters and "older" paging by cursor. */
import { useState } from 'preact/hooks';
import { call } from '../api/client.ts';
import type { AuditRow } from '../api/types.ts';
import { Alert, Field, Section, Table, time, useAction, value } from '../components/ui.tsx';
import { useEffect } from 'preact/hooks';

export function AuditPage() {
  const [filters, setFilters] = useState({ action: '', actor: '', resource: '', tenant: '' });
  const [rows, setRows] = useState<AuditRow[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const action = useAction();
  const load = (after?: string) => action.run(async () => {
    const query = Object.fromEntries(Object.entries(filters).filter(([, v]) => v));
    const page = await call<{ items: AuditRow[]; next: string | null }>('audit', { query: { ...query, limit: 50, ...(after ? { after } : {}) } });
    setRows((old) => (after ? [...old, ...page.items] : page.items));
    setNext(page.next);
  });
  useEffect(() => void load(), []);
  const set = (name: keyof typeof filters) => (e: Parameters<typeof value>[0]) => setFilters({ ...filters, [name]: value(e) });
  return (
    <Section title="Audit log">
      <form class="inline-form" onSubmit={(e) => { e.preventDefault(); void load(); }}>
        <Field label="Action" hint="e.g. session.* or user.disable"><input name="audit-action" value={filters.action} onInput={set('action')} /></Field>
        <Field label="Actor id"><input name="audit-actor" value={filters.actor} onInput={set('actor')} /></Field>
        <Field label="Resource prefix"><input name="audit-resource" value={filters.resource} onInput={set('resource')} /></Field>
        <Field label="Tenant"><input name="audit-tenant" value={filters.tenant} onInput={set('tenant')} /></Field>
        <button type="submit">Filter</button>
      </form>
      <Alert message={action.error} />
      <Table caption="Audit log, newest first">
        <thead><tr><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Resource</th><th scope="col">Result</th><th scope="col">Tenant</th><th scope="col">Address</th></tr></thead>
        <tbody>
          {rows.map((row) => (
            <tr data-action={row.action}>
              <td>{time(row.at)}</td><td>{row.actorType} {row.actorId ?? ''}</td><td>{row.action}</td><td>{row.resource ?? '–'}</td>
              <td class={row.result === 'ok' ? '' : 'error-text'}>{row.result}</td><td>{row.tenantId ?? '–'}</td><td>{row.sourceIp ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </Table>
      {next ? <button type="button" onClick={() => load(next)}>Older</button> : null}
    </Section>
  );
}
