/** Users (admin, or the tenant owner): create, disable/enable, reset password, delete. */
import { useState } from 'preact/hooks';
import { call } from '../api/client.ts';
import type { Me, Role, User } from '../api/types.ts';
import { Alert, Field, Section, Table, time, useAction, useLoad, value } from '../components/ui.tsx';

export function UsersPage({ me }: { me: Me }) {
  const users = useLoad(() => call<{ items: User[]; total: number }>('users', { query: { limit: 500 } }));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [tenant, setTenant] = useState('');
  const action = useAction();
  const create = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      await call('createUser', { body: { email, password, role, ...(role !== 'admin' && me.admin ? { tenant } : {}) } });
      setEmail('');
      setPassword('');
      users.reload();
    });
  };
  const act = (name: 'disableUser' | 'enableUser' | 'deleteUser', id: string) => action.run(async () => {
    if (name === 'deleteUser' && !window.confirm('Delete this user?')) return;
    await call(name, { params: { id } });
    users.reload();
  });
  const reset = (id: string) => action.run(async () => {
    const next = window.prompt('New password (at least 12 characters):');
    if (next) await call('resetPassword', { params: { id }, body: { password: next } });
  });
  return (
    <>
      <Section title="New user">
        <form class="inline-form" onSubmit={create}>
          <Field label="Email"><input name="user-email" type="email" required value={email} onInput={(e) => setEmail(value(e))} /></Field>
          <Field label="Password" hint="12+ characters"><input name="user-password" type="password" autoComplete="new-password" required value={password} onInput={(e) => setPassword(value(e))} /></Field>
          <Field label="Role">
            <select name="user-role" value={role} onChange={(e) => setRole(value(e) as Role)}>
              {me.admin ? <option value="admin">admin (every tenant)</option> : null}
              <option value="owner">owner</option><option value="operator">operator</option><option value="viewer">viewer</option>
            </select>
          </Field>
          {me.admin && role !== 'admin' ? <Field label="Tenant"><input name="user-tenant" required value={tenant} onInput={(e) => setTenant(value(e))} /></Field> : null}
          <button type="submit" disabled={action.busy}>Create user</button>
        </form>
        <Alert message={action.error} />
      </Section>
      <Section title="Users">
        <Alert message={users.error} />
        <Table caption="Users">
          <thead><tr><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Tenant</th><th scope="col">State</th><th scope="col">Last login</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {(users.data?.items ?? []).map((u) => (
              <tr data-user={u.email}>
                <td>{u.email}</td><td>{u.role}</td><td>{u.tenantId ?? '–'}</td><td>{u.disabled ? 'disabled' : 'active'}</td><td>{time(u.lastLoginAt)}</td>
                <td class="row-actions">
                  {u.id === me.user?.id ? <span class="muted">you</span> : <>
                    <button type="button" onClick={() => act(u.disabled ? 'enableUser' : 'disableUser', u.id)}>{u.disabled ? 'Enable' : 'Disable'}</button>
                    <button type="button" onClick={() => reset(u.id)}>Reset password</button>
                    <button type="button" class="danger" onClick={() => act('deleteUser', u.id)}>Delete</button>
                  </>}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Section>
    </>
  );
}
