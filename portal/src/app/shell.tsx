import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Navigate, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { NotificationBell } from '../features/notifications/bell.tsx';
import { NotificationToasts } from '../features/notifications/toasts.tsx';
import { LiveStreamProvider } from '../live/stream.tsx';
import { DropdownMenu } from '../ui/menu.tsx';
import { ErrorState, Loading } from '../ui/states.tsx';
import {
  logOut,
  ME_QUERY_KEY,
  SessionProvider,
  useSession,
  useSessionEndHandling,
  useSessionQuery,
} from './session.tsx';

/** Pages behind login: the login page is shown (and comes back here) when nobody is logged in. */
export function RequireSession() {
  useSessionEndHandling();
  const session = useSessionQuery();
  const location = useLocation();
  if (session.isPending) return <Loading label="Opening SecureBase…" minHeight={320} />;
  if (session.isError) return <ErrorState error={session.error} onRetry={() => void session.refetch()} />;
  if (!session.data) {
    const next = location.pathname + location.search + location.hash;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return (
    <SessionProvider me={session.data}>
      <LiveStreamProvider>
        <Outlet />
      </LiveStreamProvider>
    </SessionProvider>
  );
}

interface NavItem {
  to: string;
  label: string;
  visible: boolean;
}

/**
 * After a client-side navigation, focus moves to the page's main region, so a screen reader starts
 * reading the new page instead of staying on the link that was followed.
 */
function useFocusMainOnNavigation(): void {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: false });
  }, [pathname]);
}

export function Shell() {
  const { me, can, isStaff } = useSession();
  const [navOpen, setNavOpen] = useState(false);
  useFocusMainOnNavigation();

  const items: NavItem[] = [
    { to: '/support', label: 'Support', visible: can('tickets:read') },
    { to: '/staff/queue', label: 'Support Queue', visible: isStaff },
    { to: '/webhooks', label: 'Webhooks', visible: can('webhooks:read') },
    { to: '/forecast', label: 'Cost Forecast', visible: can('cost:read') },
    { to: '/notifications', label: 'Notifications', visible: can('notifications:read') },
    { to: '/settings/notifications', label: 'Notification settings', visible: can('notifications:read') },
    { to: '/settings/api-keys', label: 'API keys', visible: can('api_keys:manage') },
    { to: '/settings/users', label: 'Users', visible: can('users:manage') },
  ];

  return (
    <div className="layout">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="btn btn-ghost nav-toggle"
          aria-expanded={navOpen}
          aria-controls="sidebar"
          onClick={() => setNavOpen((open) => !open)}
        >
          Menu
        </button>
        <span className="brand">SecureBase</span>
        <span className="tenant" title="Tenant">
          {me.customer_name ?? 'SecureBase staff'}
        </span>
        <div className="topbar-actions">
          <NotificationBell />
          <UserMenu />
        </div>
      </header>
      <nav id="sidebar" className={navOpen ? 'sidebar sidebar-open' : 'sidebar'} aria-label="Main">
        <ul>
          {items
            .filter((item) => item.visible)
            .map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} onClick={() => setNavOpen(false)}>
                  {item.label}
                </NavLink>
              </li>
            ))}
        </ul>
      </nav>
      <main className="page" id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <NotificationToasts />
    </div>
  );
}

function UserMenu() {
  const { me } = useSession();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const signOut = async () => {
    await logOut().catch(() => undefined);
    queryClient.clear();
    queryClient.setQueryData(ME_QUERY_KEY, null);
    await navigate('/login', { replace: true });
  };
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger className="btn btn-ghost user-menu-trigger" aria-label={`Account: ${me.email ?? me.role}`}>
        <span aria-hidden="true" className="avatar">
          {(me.name ?? me.email ?? '?').slice(0, 1).toUpperCase()}
        </span>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu" align="end" sideOffset={6}>
          <DropdownMenu.Label className="menu-label">
            <strong>{me.name ?? me.email}</strong>
            <span className="muted">
              {me.email} · {me.role}
            </span>
          </DropdownMenu.Label>
          <DropdownMenu.Separator className="menu-separator" />
          <DropdownMenu.Item className="menu-item" onSelect={() => void navigate('/settings/notifications')}>
            Settings
          </DropdownMenu.Item>
          <DropdownMenu.Item className="menu-item" onSelect={() => void signOut()}>
            Log out
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
