import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { SessionProvider } from '../../app/session.tsx';
import type { Me } from '../../app/session.tsx';
import ApiKeysPage from './api-keys-page.tsx';
import { SecretDialog } from '../../ui/secret-dialog.tsx';
import UsersPage from './users-page.tsx';

const MEMBER: Me = {
  user_id: 'u1',
  email: 'member@example.com',
  name: 'Max Member',
  customer_id: 'c1',
  customer_name: 'Northwind',
  tier: 'standard',
  role: 'member',
  credential: 'session',
  permissions: ['tickets:read', 'tickets:write', 'webhooks:read', 'cost:read', 'cost:write', 'notifications:read'],
};

function renderAs(me: Me, page: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <SessionProvider me={me}>{page}</SessionProvider>
    </QueryClientProvider>,
  );
}

describe('settings pages for a member', () => {
  it('explain that admins manage API keys, without asking the API', () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    renderAs(MEMBER, <ApiKeysPage />);
    expect(screen.getByText('Only admins manage API keys')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Create API key' })).toBeNull();
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
  });

  it('explain that admins manage users', () => {
    renderAs(MEMBER, <UsersPage />);
    expect(screen.getByText('Only admins manage users')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Invite user' })).toBeNull();
  });
});

describe('the one-time secret dialog', () => {
  it('shows the secret with a copy button and the warning', () => {
    render(
      <SecretDialog
        onClose={() => {}}
        title="Key created"
        label="API key"
        secret="sb_live_secret_value"
        explanation="Store it."
      />,
    );
    expect(screen.getByRole('dialog', { name: 'Key created' })).toBeInTheDocument();
    expect(screen.getByLabelText('API key')).toHaveTextContent('sb_live_secret_value');
    expect(screen.getByRole('button', { name: 'Copy API key' })).toBeInTheDocument();
    expect(screen.getByText(/you will not see it again/)).toBeInTheDocument();
  });
});
