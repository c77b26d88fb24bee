/** The wafleet dashboard: a client of the public API only, shaped by the caller's role. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, onLoggedOut, setCsrfToken } from './api/client.ts';
import type { Me } from './api/types.ts';
import { href, navigate, useRoute } from './router.ts';
import { LoginPage } from './pages/login.tsx';
import { SessionsPage } from './pages/sessions.tsx';
import { SessionLinkPage } from './pages/session-link.tsx';
import { SessionDetailPage } from './pages/session-detail.tsx';
import { WebhooksPage } from './pages/webhooks.tsx';
import { EventsPage } from './pages/events.tsx';
import { TenantsPage } from './pages/tenants.tsx';
import { UsersPage } from './pages/users.tsx';
import { AuditPage } from './pages/audit.tsx';
import { AnalyticsPage } from './pages/analytics.tsx';
import { NodesPage } from './pages/nodes.tsx';
import './styles.css';

interface NavItem {
  path: string;
  label: string;
  shown: (me: Me, cluster: boolean) => boolean;
}

const NAV: NavItem[] = [
  { path: '/sessions', label: 'Sessions', shown: () => true },
  { path: '/webhooks', label: 'Webhooks', shown: (me) => me.scopes.includes('manage') },
  { path: '/events', label: 'Live events', shown: () => true },
  { path: '/analytics', label: 'Analytics', shown: () => true },
  { path: '/tenants', label: 'Tenants & keys', shown: (me) => me.canManageTenant },
  { path: '/users', label: 'Users', shown: (me) => me.canManageTenant },
  { path: '/audit', label: 'Audit log', shown: (me) => me.canManageTenant },
  { path: '/nodes', label: 'Nodes', shown: (me, cluster) => me.admin && cluster },
];

function Page({ me, route, cluster }: { me: Me; route: string[]; cluster: boolean }) {
  const [first, id, sub] = route;
  switch (first) {
    case 'sessions':
      if (id && sub === 'link') return <SessionLinkPage id={id} />;
      if (id) return <SessionDetailPage id={id} me={me} />;
      return <SessionsPage me={me} />;
    case 'webhooks': return <WebhooksPage me={me} />;
    case 'events': return <EventsPage />;
    case 'analytics': return <AnalyticsPage />;
    case 'tenants': return <TenantsPage me={me} />;
    case 'users': return <UsersPage me={me} />;
    case 'audit': return <AuditPage />;
    case 'nodes': return cluster ? <NodesPage /> : <SessionsPage me={me} />;
    default: return <SessionsPage me={me} />;
  }
}

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [cluster, setCluster] = useState(false);
  const route = useRoute();
  const loadMe = async () => {
    try {
      const who = await call<Me>('me');
      setCsrfToken(who.csrfToken);
      setMe(who);
      if (who.admin) {
        // The Nodes page exists once the cluster routes do; today they answer 404.
        call('nodes').then(() => setCluster(true), (error: unknown) => setCluster(!(error instanceof ApiError && error.status === 404)));
      }
    } catch {
      setMe(null);
    }
  };
  useEffect(() => {
    void loadMe();
    return onLoggedOut(() => setMe(null));
  }, []);
  const logout = async () => {
    await call('logout').catch(() => undefined);
    setCsrfToken(null);
    setMe(null);
    navigate('/');
  };
  if (me === undefined) return <main id="main"><p class="muted">Loading…</p></main>;
  if (me === null) return <LoginPage onLogin={() => void loadMe()} />;
  const current = `/${route[0] ?? 'sessions'}`;
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <a class="brand" href={href('/sessions')}>wafleet</a>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((item) => item.shown(me, cluster)).map((item) => (
              <li><a href={href(item.path)} aria-current={current === item.path ? 'page' : undefined}>{item.label}</a></li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span data-role={me.role ?? 'key'}>{me.user?.email ?? 'API key'} · {me.admin ? 'admin' : `${me.role ?? ''} of ${me.tenantId ?? ''}`}</span>
          <button type="button" onClick={logout}>Log out</button>
        </div>
      </header>
      <main id="main" tabIndex={-1}><Page me={me} route={route} cluster={cluster} /></main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
