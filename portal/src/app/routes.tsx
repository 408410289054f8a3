import { createBrowserRouter, Navigate, Outlet } from 'react-router';
import type { RouteObject } from 'react-router';
import { RequireSession, Shell } from './shell.tsx';
import { RouteError } from './route-error.tsx';
import { ToastProvider } from '../ui/toasts.tsx';

/** A lazily loaded page: each page is its own chunk, fetched on first visit. */
function page(load: () => Promise<{ default: React.ComponentType }>): Pick<RouteObject, 'lazy'> {
  return { lazy: async () => ({ Component: (await load()).default }) };
}

export const routes: RouteObject[] = [
  {
    element: (
      <ToastProvider>
        <Outlet />
      </ToastProvider>
    ),
    children: [
      { path: '/login', ...page(() => import('../features/auth/login-page.tsx')) },
      { path: '/setup', ...page(() => import('../features/auth/setup-page.tsx')) },
      {
        element: <RequireSession />,
        errorElement: <RouteError />,
        children: [
          {
            element: <Shell />,
            errorElement: <RouteError />,
            children: [
              { index: true, element: <Navigate to="/support" replace /> },
              { path: '/support', ...page(() => import('../features/support/support-list-page.tsx')) },
              { path: '/support/new', ...page(() => import('../features/support/new-ticket-page.tsx')) },
              { path: '/support/:ticket', ...page(() => import('../features/support/ticket-page.tsx')) },
              { path: '/staff/queue', ...page(() => import('../features/support/staff-queue-page.tsx')) },
              { path: '/webhooks', ...page(() => import('../features/webhooks/webhooks-page.tsx')) },
              { path: '/webhooks/:id', ...page(() => import('../features/webhooks/webhook-page.tsx')) },
              { path: '/forecast', ...page(() => import('../features/forecast/forecast-page.tsx')) },
              { path: '/notifications', ...page(() => import('../features/notifications/notifications-page.tsx')) },
              { path: '/settings', element: <Navigate to="/settings/notifications" replace /> },
              {
                path: '/settings/notifications',
                ...page(() => import('../features/notifications/notification-settings-page.tsx')),
              },
              { path: '/settings/api-keys', ...page(() => import('../features/settings/api-keys-page.tsx')) },
              { path: '/settings/users', ...page(() => import('../features/settings/users-page.tsx')) },
              { path: '*', ...page(() => import('./not-found-page.tsx')) },
            ],
          },
        ],
      },
    ],
  },
];

export const createRouter = () => createBrowserRouter(routes);
