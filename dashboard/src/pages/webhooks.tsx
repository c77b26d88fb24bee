/** Webhooks: create, test, delivery log, redeliver, replay, dead letters and their retry. */
import { useState } from 'preact/hooks';
import { call } from '../api/client.ts';
import type { Delivery, Me, Webhook } from '../api/types.ts';
import { Alert, Field, Section, Table, time, useAction, useLoad, value } from '../components/ui.tsx';

export function WebhooksPage({ me }: { me: Me }) {
  const hooks = useLoad(() => call<{ items: Webhook[] }>('webhooks'));
  const dead = useLoad(() => call<{ items: Delivery[] }>('deadLetters', { query: { limit: 100 } }));
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [tested, setTested] = useState<{ webhookId: string; text: string } | undefined>(undefined);
  const action = useAction();
  const canManage = me.scopes.includes('manage');
  if (!canManage) return <Section title="Webhooks"><p>Webhooks need the manage permission (an operator or owner).</p></Section>;
  const test = (webhookId: string) => action.run(async () => {
    const result = await call<{ delivered: boolean; statusCode: number | null; latencyMs: number; error: string | null }>('testWebhook', { params: { id: webhookId } });
    setTested({ webhookId, text: result.delivered ? `Test event delivered: HTTP ${result.statusCode} in ${result.latencyMs} ms.` : `Test event not delivered: ${result.error ?? 'no answer'}.` });
  });
  const retry = (ids?: string[]) => action.run(async () => {
    await call('retryDead', { body: ids ? { ids } : {} });
    dead.reload();
  });
  return (
    <>
      <CreateWebhook me={me} onCreated={() => hooks.reload()} />
      <Section title="Webhooks">
        <Alert message={hooks.error ?? action.error} />
        <Table caption="Webhooks">
          <thead><tr><th scope="col">URL</th><th scope="col">Level</th><th scope="col">Events</th><th scope="col">Enabled</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {(hooks.data?.items ?? []).map((hook) => (
              <tr data-webhook={hook.id}>
                <td>{hook.url}</td>
                <td>{hook.level}{hook.sessionId ? ` ${hook.sessionId}` : ''}</td>
                <td>{hook.events.join(', ')}</td>
                <td>{hook.enabled ? 'yes' : 'no'}</td>
                <td class="row-actions">
                  <button type="button" onClick={() => test(hook.id)}>Test</button>
                  <button type="button" aria-expanded={open === hook.id} onClick={() => setOpen(open === hook.id ? undefined : hook.id)}>Deliveries</button>
                  <button type="button" class="danger" onClick={() => action.run(async () => { await call('deleteWebhook', { params: { id: hook.id } }); hooks.reload(); })}>Delete</button>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
        {tested ? <p role="status" data-webhook-test={tested.webhookId}>{tested.text}</p> : null}
      </Section>
      {open ? <DeliveryLog webhookId={open} /> : null}
      <Section title="Dead letters" actions={<><button type="button" onClick={() => dead.reload()}>Refresh</button><button type="button" disabled={!dead.data?.items.length} onClick={() => retry()}>Retry all</button></>}>
        <Alert message={dead.error} />
        <Table caption="Dead letters">
          <thead><tr><th scope="col">Event</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col">When</th><th scope="col"><span class="visually-hidden">Retry</span></th></tr></thead>
          <tbody>
            {(dead.data?.items ?? []).map((d) => (
              <tr data-dead-letter={d.id}>
                <td>{d.eventType}</td><td>{d.attempts}</td><td>{d.lastStatusCode ?? ''} {d.lastError ?? ''}</td><td>{time(d.updatedAt)}</td>
                <td><button type="button" onClick={() => retry([d.id])}>Retry</button></td>
              </tr>
            ))}
          </tbody>
        </Table>
        {dead.data && dead.data.items.length === 0 ? <p class="muted" data-dead-letters="none">No dead letters.</p> : null}
      </Section>
    </>
  );
}

function CreateWebhook({ me, onCreated }: { me: Me; onCreated: () => void }) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState('message.*,session.status');
  const [session, setSession] = useState('');
  const [tenant, setTenant] = useState('');
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const action = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    await action.run(async () => {
      const created = await call<Webhook>('createWebhook', {
        body: { url, events: events.split(',').map((e) => e.trim()).filter(Boolean), ...(session ? { session } : {}), ...(me.admin && tenant ? { tenant } : {}) },
      });
      setSecret(created.secret);
      onCreated();
    });
  };
  return (
    <Section title="New webhook">
      <form class="inline-form" onSubmit={submit}>
        <Field label="URL"><input name="webhook-url" type="url" required value={url} onInput={(e) => setUrl(value(e))} /></Field>
        <Field label="Events" hint="comma-separated; prefix.* or *"><input name="events" value={events} onInput={(e) => setEvents(value(e))} /></Field>
        <Field label="Session (optional)"><input name="webhook-session" value={session} onInput={(e) => setSession(value(e))} /></Field>
        {me.admin ? <Field label="Tenant (admin; empty = global)"><input name="webhook-tenant" value={tenant} onInput={(e) => setTenant(value(e))} /></Field> : null}
        <button type="submit" disabled={action.busy}>Create webhook</button>
      </form>
      {secret ? <p class="once" role="status">Signing secret, shown only now: <code>{secret}</code></p> : null}
      <Alert message={action.error} />
    </Section>
  );
}

function DeliveryLog({ webhookId }: { webhookId: string }) {
  const log = useLoad(() => call<{ items: Delivery[] }>('deliveries', { params: { id: webhookId }, query: { limit: 100 } }), [webhookId]);
  const [after, setAfter] = useState('');
  const [replayed, setReplayed] = useState<number | undefined>(undefined);
  const action = useAction();
  const replay = (event: Event) => {
    event.preventDefault();
    void action.run(async () => setReplayed((await call<{ queued: number }>('replay', { params: { id: webhookId }, body: after ? { after } : { from: 0 } })).queued));
  };
  return (
    <Section title="Delivery log" actions={<button type="button" onClick={() => log.reload()}>Refresh</button>}>
      <Alert message={log.error ?? action.error} />
      <Table caption="Delivery log">
        <thead><tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Response</th><th scope="col">Latency</th><th scope="col"><span class="visually-hidden">Redeliver</span></th></tr></thead>
        <tbody>
          {(log.data?.items ?? []).map((d) => (
            <tr data-delivery={d.id}>
              <td>{d.eventType}</td><td>{d.status}</td><td>{d.attempts}</td><td>{d.lastStatusCode ?? d.lastError ?? '–'}</td><td>{d.lastLatencyMs ?? '–'} ms</td>
              <td><button type="button" onClick={() => action.run(async () => { await call('redeliver', { params: { id: webhookId, deliveryId: d.id } }); log.reload(); })}>Redeliver</button></td>
            </tr>
          ))}
        </tbody>
      </Table>
      <form class="inline-form" onSubmit={replay}>
        <Field label="Replay events after id" hint="empty: every retained event"><input name="replay-after" value={after} onInput={(e) => setAfter(value(e))} /></Field>
        <button type="submit">Replay</button>
      </form>
      {replayed !== undefined ? <p role="status">{replayed} event(s) queued again.</p> : null}
    </Section>
  );
}
