/** Link a phone: the QR drawn live and redrawn as WhatsApp rotates it, or a pairing code; turns to WORKING by itself. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, call } from '../api/client.ts';
import { useLive } from '../api/live.ts';
import type { Session, SessionStatus } from '../api/types.ts';
import { QrCanvas } from '../components/qr-canvas.tsx';
import { Alert, Field, Section, StatusBadge, useAction, value } from '../components/ui.tsx';
import { href } from '../router.ts';

export function SessionLinkPage({ id }: { id: string }) {
  const [status, setStatus] = useState<SessionStatus | undefined>(undefined);
  const [account, setAccount] = useState<string | undefined>(undefined);
  const [qr, setQr] = useState<string | undefined>(undefined);
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState<string | undefined>(undefined);
  const action = useAction();

  const loadQr = async () => {
    try {
      setQr(await call<string>('qr', { params: { id }, query: { format: 'raw' } }));
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'QR_NOT_AVAILABLE')) throw error;
    }
  };
  useEffect(() => {
    void action.run(async () => {
      const session = await call<Session>('session', { params: { id } });
      setStatus(session.status);
      setAccount(session.me?.id);
      if (session.status === 'SCAN_QR') await loadQr();
    });
  }, [id]);
  useLive({ session: id, types: 'session.status,session.qr' }, (event) => {
    if (event.type === 'session.qr' && typeof event.payload.qr === 'string') setQr(event.payload.qr);
    if (event.type === 'session.status') {
      setStatus(event.payload.status as SessionStatus);
      const me = event.payload.me as { id?: string } | undefined;
      if (me?.id) setAccount(me.id);
      if (event.payload.status !== 'SCAN_QR') setQr(undefined);
    }
  });

  const start = () => action.run(async () => setStatus((await call<Session>('startSession', { params: { id } })).status));
  const pair = (event: Event) => {
    event.preventDefault();
    void action.run(async () => setCode((await call<{ code: string }>('pairingCode', { params: { id }, body: { phone } })).code));
  };

  return (
    <Section title={`Link a phone to ${id}`} actions={status ? <StatusBadge status={status} /> : null}>
      <div aria-live="polite" class="link-state">
        {status === 'WORKING' ? (
          <p class="success" data-linked="true">Linked{account ? ` to ${account.split('@')[0]}` : ''}. <a href={href(`/sessions/${id}`)}>Open the session</a></p>
        ) : status === 'SCAN_QR' && qr ? (
          <div class="qr-box">
            <QrCanvas qr={qr} label={`QR code to link a phone to ${id}`} />
            <ol class="steps">
              <li>Open WhatsApp on the phone.</li>
              <li>Settings → Linked devices → Link a device.</li>
              <li>Point the phone at this code. It refreshes by itself.</li>
            </ol>
          </div>
        ) : status === 'STOPPED' || status === 'FAILED' || status === 'LOGGED_OUT' ? (
          <p>The session is {status}. <button type="button" onClick={start}>Start it</button></p>
        ) : (
          <p class="muted">Waiting for WhatsApp{status ? ` (${status})` : ''}…</p>
        )}
      </div>
      {status === 'SCAN_QR' ? (
        <form class="inline-form" onSubmit={pair}>
          <Field label="Or link with a pairing code: phone number" hint="with country code, e.g. +15551234567"><input name="phone" type="tel" required value={phone} onInput={(e) => setPhone(value(e))} /></Field>
          <button type="submit" disabled={action.busy}>Get a pairing code</button>
        </form>
      ) : null}
      {code ? <p>Enter this code on the phone (Linked devices → Link with phone number): <strong class="pairing-code">{code}</strong></p> : null}
      <Alert message={action.error} />
    </Section>
  );
}
