import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiProblem } from '../../api/problem.ts';
import { EndpointDialog } from './endpoint-dialog.tsx';

const api = vi.hoisted(() => ({ GET: vi.fn(), POST: vi.fn(), PATCH: vi.fn() }));
vi.mock('../../api/client.ts', () => ({ api, data: <T,>(result: { data?: T }) => result.data as T }));

const CATALOG = [
  {
    type: 'ticket.created',
    description: 'A support ticket was opened.',
    schema: {},
    example: { type: 'ticket.created', data: { ticket: { reference: 'SB-1042' } } },
  },
  { type: 'invoice.paid', description: 'An invoice was paid in full.', schema: {}, example: { type: 'invoice.paid' } },
];

function renderDialog(onCreated = vi.fn()) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <EndpointDialog open onOpenChange={() => undefined} onCreated={onCreated} />
    </QueryClientProvider>,
  );
  return onCreated;
}

describe('EndpointDialog', () => {
  beforeEach(() => {
    api.GET.mockReset().mockResolvedValue({ data: { event_types: CATALOG } });
    api.POST.mockReset();
  });

  it('groups the catalog, shows each description and its example payload', async () => {
    const user = userEvent.setup();
    renderDialog();
    const tickets = await screen.findByRole('group', { name: 'Support tickets' });
    expect(within(tickets).getByText('A support ticket was opened.')).toBeInTheDocument();
    expect(screen.getByRole('group', { name: 'Invoices' })).toBeInTheDocument();
    await user.click(within(tickets).getByText('Example payload'));
    expect(within(tickets).getByText(/"reference": "SB-1042"/)).toBeVisible();
  });

  it('checks the URL and the events before sending', async () => {
    const user = userEvent.setup();
    renderDialog();
    await screen.findByRole('group', { name: 'Support tickets' });
    await user.type(screen.getByLabelText('Endpoint URL'), 'example.com/hooks');
    await user.click(screen.getByRole('button', { name: 'Add endpoint' }));
    expect(screen.getByText('Enter a full https:// URL')).toBeInTheDocument();
    expect(screen.getByText('Choose at least one event')).toBeInTheDocument();
    expect(screen.getByLabelText('Endpoint URL')).toHaveAttribute('aria-invalid', 'true');
    expect(api.POST).not.toHaveBeenCalled();
  });

  it('creates the endpoint and hands over the secret', async () => {
    const user = userEvent.setup();
    const webhook = { id: 'wh_1', url: 'https://example.com/hooks' };
    api.POST.mockResolvedValue({ data: { webhook, secret: 'whsec_abc' } });
    const onCreated = renderDialog();
    await screen.findByRole('group', { name: 'Support tickets' });
    await user.type(screen.getByLabelText('Endpoint URL'), 'https://example.com/hooks');
    await user.type(screen.getByLabelText('Description (optional)'), 'Ticket sync');
    await user.click(screen.getByRole('checkbox', { name: /^ticket\.created/ }));
    await user.click(screen.getByRole('button', { name: 'Add endpoint' }));
    await vi.waitFor(() => expect(onCreated).toHaveBeenCalledWith({ webhook, secret: 'whsec_abc' }));
    expect(api.POST).toHaveBeenCalledWith('/v1/webhooks', {
      body: { url: 'https://example.com/hooks', description: 'Ticket sync', events: ['ticket.created'] },
    });
  });

  it('ticking all events disables the single events', async () => {
    const user = userEvent.setup();
    renderDialog();
    await screen.findByRole('group', { name: 'Support tickets' });
    await user.click(screen.getByRole('checkbox', { name: /^All events/ }));
    expect(screen.getByRole('checkbox', { name: /^ticket\.created/ })).toBeDisabled();
    expect(screen.getByRole('checkbox', { name: /^ticket\.created/ })).toBeChecked();
  });

  it("shows the server's refusal of the URL on the field", async () => {
    const user = userEvent.setup();
    api.POST.mockRejectedValue(
      new ApiProblem(400, {
        detail: 'url resolves to a private address',
        errors: [{ field: 'url', message: 'resolves to a private address' }],
      }),
    );
    renderDialog();
    await screen.findByRole('group', { name: 'Support tickets' });
    await user.type(screen.getByLabelText('Endpoint URL'), 'https://intranet.example/hooks');
    await user.click(screen.getByRole('checkbox', { name: /^invoice\.paid/ }));
    await user.click(screen.getByRole('button', { name: 'Add endpoint' }));
    expect(await screen.findByText('resolves to a private address')).toBeInTheDocument();
  });
});
