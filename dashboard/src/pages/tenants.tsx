/** Tenants (admin) and API keys (admin, or the tenant owner): create, revoke; a new key is shown once. */
import { useState } from 'preact/hooks';
import { call } from '../api/client.ts';
import type { ApiKey, Me, Scope, Tenant } from '../api/types.ts';
import { Alert, Field, Section, Table, time, useAction, useLoad, value } from '../components/ui.tsx';

export function TenantsPage({ me }: { me: Me }) {
  const tenants = useLoad(() => (me.admin ? call<{ items: Tenant[] }>('tenants') : Promise.resolve({ items: [] as Tenant[] })));
  const [id, setId] = useState('');
  const [maxSessions, setMaxSessions] = useState('10');
  const [chosen, setChosen] = useState<string | undefined>(me.admin ? undefined : (me.tenantId ?? undefined));
  const action = useAction();
  const create = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      await call('createTenant', { body: { id, maxSessions: Number(maxSessions) } });
      setId('');
      tenants.reload();
    });
  };
  return (
    <>
      {me.admin ? (
        <Section title="Tenants">
          <form class="inline-form" onSubmit={create}>
            <Field label="Tenant id"><input name="tenant-id" required value={id} onInput={(e) => setId(value(e))} /></Field>
            <Field label="Max sessions"><input name="max-sessions" type="number" min={0} value={maxSessions} onInput={(e) => setMaxSessions(value(e))} /></Field>
            <button type="submit">Create tenant</button>
          </form>
          <Alert message={tenants.error ?? action.error} />
          <Table caption="Tenants">
            <thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Max sessions</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Keys</span></th></tr></thead>
            <tbody>
              {(tenants.data?.items ?? []).map((t) => (
                <tr><td>{t.id}</td><td>{t.name}</td><td>{t.maxSessions}</td><td>{time(t.createdAt)}</td><td><button type="button" onClick={() => setChosen(t.id)}>Keys</button></td></tr>
              ))}
            </tbody>
          </Table>
        </Section>
      ) : null}
      {chosen ? <KeysSection tenant={chosen} /> : null}
    </>
  );
}

function KeysSection({ tenant }: { tenant: string }) {
  const keys = useLoad(() => call<{ items: ApiKey[] }>('keys', { params: { tenant } }), [tenant]);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['read', 'send']);
  const [shown, setShown] = useState<string | undefined>(undefined);
  const action = useAction();
  const create = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const created = await call<ApiKey>('createKey', { params: { tenant }, body: { name: name || 'dashboard key', scopes } });
      setShown(created.key);
      keys.reload();
    });
  };
  const toggle = (scope: Scope) => setScopes((old) => (old.includes(scope) ? old.filter((s) => s !== scope) : [...old, scope]));
  return (
    <Section title={`API keys of ${tenant}`}>
      <form class="inline-form" onSubmit={create}>
        <Field label="Name"><input name="key-name" value={name} onInput={(e) => setName(value(e))} /></Field>
        <fieldset class="scopes"><legend>Scopes</legend>
          {(['read', 'send', 'manage'] as Scope[]).map((scope) => <label><input type="checkbox" checked={scopes.includes(scope)} onChange={() => toggle(scope)} /> {scope}</label>)}
        </fieldset>
        <button type="submit" disabled={!scopes.length}>Create key</button>
      </form>
      {shown ? <p class="once" role="status">New key, shown only now — copy it: <code>{shown}</code></p> : null}
      <Alert message={keys.error ?? action.error} />
      <Table caption={`API keys of ${tenant}`}>
        <thead><tr><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Created</th><th scope="col">Revoked</th><th scope="col"><span class="visually-hidden">Revoke</span></th></tr></thead>
        <tbody>
          {(keys.data?.items ?? []).map((k) => (
            <tr><td>{k.name}</td><td>{k.scopes.join(', ')}</td><td>{time(k.createdAt)}</td><td>{time(k.revokedAt)}</td>
              <td>{k.revokedAt ? null : <button type="button" class="danger" onClick={() => action.run(async () => { await call('revokeKey', { params: { keyId: k.id } }); keys.reload(); })}>Revoke</button>}</td></tr>
          ))}
        </tbody>
      </Table>
    </Section>
  );
}
