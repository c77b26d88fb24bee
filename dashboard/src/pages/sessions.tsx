/** Sessions: live status (WebSocket), filter, bulk start/stop, create. */
import { useState } from 'preact/hooks';
import { call } from '../api/client.ts';
import { useLive } from '../api/live.ts';
import type { Me, Session, SessionPage, SessionStatus } from '../api/types.ts';
import { href, navigate } from '../router.ts';
import { Alert, Field, Section, StatusBadge, Table, time, useAction, useLoad, value } from '../components/ui.tsx';

const STATUSES: SessionStatus[] = ['STOPPED', 'STARTING', 'SCAN_QR', 'WORKING', 'RECONNECTING', 'FAILED', 'LOGGED_OUT'];

export function SessionsPage({ me }: { me: Me }) {
  const [status, setStatus] = useState('');
  const [text, setText] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const list = useLoad(() => call<SessionPage>('sessions', { query: { limit: 500, ...(status ? { status } : {}) } }), [status]);
  const action = useAction();
  const canManage = me.scopes.includes('manage');
  useLive({ types: 'session.status' }, () => list.reload());

  const shown = (list.data?.items ?? []).filter((s) => !text || s.id.includes(text) || (s.me?.id ?? '').includes(text));
  const toggle = (id: string) => setSelected((old) => {
    const next = new Set(old);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  });
  const bulk = (verb: 'start' | 'stop' | 'restart') =>
    action.run(async () => {
      await call('bulkSessions', { body: { action: verb, ids: [...selected] } });
      setSelected(new Set());
      list.reload();
    });

  return (
    <>
      {canManage ? <CreateSession me={me} /> : null}
      <Section title="Sessions" actions={<span class="muted" aria-live="polite">{list.data ? `${list.data.total} in all` : ''}</span>}>
        <div class="toolbar">
          <Field label="Status">
            <select value={status} onChange={(e) => setStatus(value(e))}>
              <option value="">any</option>
              {STATUSES.map((s) => <option value={s}>{s}</option>)}
            </select>
          </Field>
          <Field label="Search"><input type="search" value={text} placeholder="id or phone" onInput={(e) => setText(value(e))} /></Field>
          {canManage ? (
            <div class="bulk" role="group" aria-label="Selected sessions">
              <button type="button" disabled={!selected.size || action.busy} onClick={() => bulk('start')}>Start selected</button>
              <button type="button" disabled={!selected.size || action.busy} onClick={() => bulk('stop')}>Stop selected</button>
            </div>
          ) : null}
        </div>
        <Alert message={action.error ?? list.error} />
        <Table caption="Sessions">
          <thead><tr>{canManage ? <th scope="col"><span class="visually-hidden">Select</span></th> : null}<th scope="col">Session</th><th scope="col">Status</th><th scope="col">Account</th>{me.admin ? <th scope="col">Tenant</th> : null}<th scope="col">Updated</th></tr></thead>
          <tbody>
            {shown.map((session: Session) => (
              <tr data-session={session.id}>
                {canManage ? <td><input type="checkbox" aria-label={`Select ${session.id}`} checked={selected.has(session.id)} onChange={() => toggle(session.id)} /></td> : null}
                <td><a href={href(`/sessions/${session.id}`)}>{session.id}</a></td>
                <td><StatusBadge status={session.status} />{session.status === 'SCAN_QR' ? <> <a href={href(`/sessions/${session.id}/link`)}>Link a phone</a></> : null}</td>
                <td>{session.me?.id.split('@')[0] ?? '–'}</td>
                {me.admin ? <td>{session.tenantId}</td> : null}
                <td>{time(session.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
        {shown.length === 0 && !list.loading ? <p class="muted">No sessions yet.</p> : null}
      </Section>
    </>
  );
}

function CreateSession({ me }: { me: Me }) {
  const [id, setId] = useState('');
  const [tenant, setTenant] = useState('');
  const action = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    let created: Session | undefined;
    const ok = await action.run(async () => {
      created = await call<Session>('createSession', { body: { id, start: true, ...(me.admin && tenant ? { tenant } : {}) } });
    });
    if (ok && created) navigate(`/sessions/${created.id}/link`);
  };
  return (
    <Section title="New session">
      <form class="inline-form" onSubmit={submit}>
        <Field label="Session id" hint="lower-case letters, digits and dashes"><input name="session-id" required pattern="[a-z0-9][a-z0-9\-]*" maxLength={63} value={id} onInput={(e) => setId(value(e))} /></Field>
        {me.admin ? <Field label="Tenant"><input name="tenant" required value={tenant} onInput={(e) => setTenant(value(e))} /></Field> : null}
        <button type="submit" disabled={action.busy}>Create and link a phone</button>
      </form>
      <Alert message={action.error} />
    </Section>
  );
}
