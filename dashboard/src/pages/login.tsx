import { useState } from 'preact/hooks';
import { call, setCsrfToken } from '../api/client.ts';
import type { LoginAnswer } from '../api/types.ts';
import { Alert, Field, useAction, value } from '../components/ui.tsx';

export function LoginPage({ onLogin }: { onLogin: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    const ok = await action.run(async () => {
      const answer = await call<LoginAnswer>('login', { body: { email, password, cookies: true } });
      setCsrfToken(answer.csrfToken);
    });
    if (ok) onLogin();
  };
  return (
    <main id="main" class="login">
      <h1>wafleet</h1>
      <form class="card" onSubmit={submit} aria-labelledby="login-title">
        <h2 id="login-title">Log in</h2>
        <Field label="Email"><input name="email" type="email" autoComplete="username" required value={email} onInput={(e) => setEmail(value(e))} /></Field>
        <Field label="Password"><input name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(value(e))} /></Field>
        <Alert message={action.error} />
        <button type="submit" disabled={action.busy}>{action.busy ? 'Logging in…' : 'Log in'}</button>
      </form>
      <aside class="hint">
        <h2>First time here?</h2>
        <p>Create the first admin on the server's command line, then log in with it:</p>
        <pre><code>npm run wafleet -- users create --email you@example.com --role admin</code></pre>
        <p>It prints a generated password once (or pass <code>--password-stdin</code>). The API itself is described at <a href="/docs">/docs</a>.</p>
      </aside>
    </main>
  );
}
