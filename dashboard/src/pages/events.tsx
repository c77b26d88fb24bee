/** Live event monitor with filters by type and session. */
import { useState } from 'preact/hooks';
import { useLive } from '../api/live.ts';
import type { EventEnvelope } from '../api/types.ts';
import { Field, Section, Table, value } from '../components/ui.tsx';

const KEEP = 200;

export function EventsPage() {
  const [types, setTypes] = useState('*');
  const [session, setSession] = useState('');
  const [applied, setApplied] = useState({ types: '*', session: '' });
  const [events, setEvents] = useState<EventEnvelope[]>([]);
  const [connected, setConnected] = useState(false);
  const [paused, setPaused] = useState(false);
  useLive({ types: applied.types, ...(applied.session ? { session: applied.session } : {}) }, (event) => {
    if (!paused) setEvents((old) => [event, ...old].slice(0, KEEP));
  }, setConnected);
  return (
    <Section title="Live events" actions={<span class={connected ? 'live on' : 'live'} aria-live="polite">{connected ? 'live' : 'connecting…'}</span>}>
      <form class="inline-form" onSubmit={(e) => { e.preventDefault(); setEvents([]); setApplied({ types: types || '*', session }); }}>
        <Field label="Types" hint="e.g. message.*,session.status"><input name="types" value={types} onInput={(e) => setTypes(value(e))} /></Field>
        <Field label="Session"><input name="session" value={session} onInput={(e) => setSession(value(e))} /></Field>
        <button type="submit">Apply</button>
        <button type="button" aria-pressed={paused} onClick={() => setPaused(!paused)}>{paused ? 'Resume' : 'Pause'}</button>
      </form>
      <Table caption="Events, newest first">
        <thead><tr><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Session</th><th scope="col">Payload</th></tr></thead>
        <tbody>
          {events.map((event) => (
            <tr data-event={event.type}>
              <td>{new Date(event.timestamp).toLocaleTimeString()}</td><td>{event.type}</td><td>{event.sessionId ?? '–'}</td>
              <td><code class="payload">{JSON.stringify(event.payload).slice(0, 200)}</code></td>
            </tr>
          ))}
        </tbody>
      </Table>
    </Section>
  );
}
