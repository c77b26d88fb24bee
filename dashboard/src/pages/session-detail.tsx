/** One session: health, last frame, queue depth and wait, pacing, recent messages with ticks, a test send. */
import { useState } from 'preact/hooks';
import { call } from '../api/client.ts';
import { useLive } from '../api/live.ts';
import type { Health, Me, Message, QueueStats, Session } from '../api/types.ts';
import { href, navigate } from '../router.ts';
import { Alert, Field, Section, StatusBadge, Table, Ticks, ago, time, useAction, useLoad, value } from '../components/ui.tsx';
import { AnalyticsChart } from './analytics.tsx';

function textOf(message: Message): string {
  const content = message.content as { text?: string; caption?: string };
  return content.text ?? content.caption ?? `[${message.type}]`;
}

export function SessionDetailPage({ id, me }: { id: string; me: Me }) {
  const session = useLoad(() => call<Session>('session', { params: { id } }), [id]);
  // 503 answers with the same body: an unhealthy session is still a health report.
  const health = useLoad(() => call<Health>('health', { params: { id }, okStatuses: [503] }), [id]);
  const queue = useLoad(() => call<QueueStats>('queue', { params: { id } }), [id]);
  const messages = useLoad(() => call<{ items: Message[] }>('messages', { params: { id }, query: { limit: 20 } }), [id]);
  const action = useAction();
  const canSend = me.scopes.includes('send');
  const canManage = me.scopes.includes('manage');

  useLive({ session: id, types: 'session.status,message.*' }, (event) => {
    if (event.type === 'session.status') {
      session.reload();
      health.reload();
    } else {
      messages.reload();
      queue.reload();
    }
  });

  const lifecycle = (verb: 'startSession' | 'stopSession' | 'restartSession' | 'logoutSession') => action.run(async () => {
    await call(verb, { params: { id } });
    session.reload();
  });
  const remove = () => action.run(async () => {
    if (!window.confirm(`Delete session ${id} and its auth state?`)) return;
    await call('deleteSession', { params: { id } });
    navigate('/sessions');
  });
  const s = session.data;
  return (
    <>
      <Section title={`Session ${id}`} actions={s ? <StatusBadge status={s.status} /> : null}>
        <Alert message={session.error ?? action.error} />
        {s ? (
          <dl class="facts">
            <dt>Account</dt><dd>{s.me?.id ?? 'not linked'}{s.me?.name ? ` (${s.me.name})` : ''}</dd>
            <dt>Engine</dt><dd>{s.engine}</dd>
            {s.statusReason ? <><dt>Reason</dt><dd>{s.statusReason}</dd></> : null}
            <dt>Tenant</dt><dd>{s.tenantId}</dd>
            <dt>Healthy</dt><dd>{health.data ? (health.data.healthy ? 'yes' : 'no') : '–'}</dd>
            <dt>Last frame</dt><dd>{ago(health.data?.lastFrameAgeMs)} ago</dd>
            <dt>Keepalive round trip</dt><dd>{ago(health.data?.keepaliveRttMs)}</dd>
            <dt>Decrypt errors</dt><dd>{health.data?.decryptErrors ?? '–'}</dd>
            <dt>Queue</dt><dd>{queue.data ? `${queue.data.depth} waiting, oldest ${ago(queue.data.waitMs)}` : '–'}</dd>
            <dt>Pacing</dt><dd>{queue.data ? Object.entries(queue.data.pacing).map(([k, v]) => `${k} ${String(v)}`).join(', ') : '–'}</dd>
          </dl>
        ) : null}
        {canManage && s ? (
          <div class="actions" role="group" aria-label="Lifecycle">
            {s.status === 'SCAN_QR' ? <a class="button" href={href(`/sessions/${id}/link`)}>Link a phone</a> : null}
            <button type="button" onClick={() => lifecycle('startSession')}>Start</button>
            <button type="button" onClick={() => lifecycle('stopSession')}>Stop</button>
            <button type="button" onClick={() => lifecycle('restartSession')}>Restart</button>
            <button type="button" onClick={() => lifecycle('logoutSession')}>Log out</button>
            <button type="button" class="danger" onClick={remove}>Delete</button>
          </div>
        ) : null}
      </Section>
      {canSend ? <SendForm id={id} onSent={() => messages.reload()} /> : null}
      <Section title="Recent messages">
        <Alert message={messages.error} />
        <Table caption="Recent messages">
          <thead><tr><th scope="col">When</th><th scope="col">Chat</th><th scope="col">Direction</th><th scope="col">Message</th><th scope="col">Status</th></tr></thead>
          <tbody>
            {(messages.data?.items ?? []).map((m) => (
              <tr data-message={m.id}>
                <td>{time(m.timestamp)}</td>
                <td>{m.chatId.split('@')[0]}</td>
                <td>{m.fromMe ? 'out' : 'in'}</td>
                <td>{textOf(m)}</td>
                <td>{m.fromMe ? <Ticks status={m.status} /> : null}{m.statusReason ? ` ${m.statusReason}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Section>
      <AnalyticsChart session={id} />
    </>
  );
}

function SendForm({ id, onSent }: { id: string; onSent: () => void }) {
  const [to, setTo] = useState('');
  const [text, setText] = useState('Hello from the wafleet dashboard');
  const [sent, setSent] = useState<string | undefined>(undefined);
  const action = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    await action.run(async () => {
      const message = await call<Message>('send', { params: { id }, query: { mode: 'async' }, body: { to, type: 'text', text } });
      setSent(message.id);
      onSent();
    });
  };
  return (
    <Section title="Send a test message">
      <form class="inline-form" onSubmit={submit}>
        <Field label="To" hint="phone number with country code"><input name="to" type="tel" required value={to} onInput={(e) => setTo(value(e))} /></Field>
        <Field label="Text"><input name="text" required value={text} onInput={(e) => setText(value(e))} /></Field>
        <button type="submit" disabled={action.busy}>Send</button>
      </form>
      <p aria-live="polite" class="muted">{sent ? `Queued as ${sent}.` : ''}</p>
      <Alert message={action.error} />
    </Section>
  );
}
