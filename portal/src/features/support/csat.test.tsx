import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { CsatPrompt } from './csat.tsx';
import type { Rating, TicketDetail } from './fields.ts';

const RESOLVED_AT = '2026-11-28T12:00:00.000Z';
const ticket = (satisfaction: Rating[]): TicketDetail =>
  ({ id: 't1', reference: 'SB-1042', status: 'resolved', resolved_at: RESOLVED_AT, satisfaction }) as TicketDetail;
const rating = (resolvedAt: string): Rating => ({
  id: 'r1',
  ticket_id: 't1',
  rating: 4,
  comment: 'Quick and clear.',
  resolved_at: resolvedAt,
  agent_id: null,
  rated_by: 'u1',
  created_at: '2026-11-28T13:00:00.000Z',
});
const renderPrompt = (detail: TicketDetail, canRate = true) =>
  render(
    <QueryClientProvider client={new QueryClient()}>
      <CsatPrompt ticket={detail} ticketRef="SB-1042" canRate={canRate} focus={false} />
    </QueryClientProvider>,
  );

describe('CsatPrompt', () => {
  it('asks for a rating and will not send without one', async () => {
    renderPrompt(ticket([]));
    expect(screen.getByRole('heading', { name: 'How did we do?' })).toBeInTheDocument();
    expect(screen.getAllByRole('radio')).toHaveLength(5);
    await userEvent.click(screen.getByRole('button', { name: 'Send rating' }));
    expect(screen.getByText('Choose a rating from 1 to 5')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('radio', { name: /^5/ }));
    expect(screen.queryByText('Choose a rating from 1 to 5')).not.toBeInTheDocument();
  });

  it('shows the rating given for this resolution instead of asking again', () => {
    renderPrompt(ticket([rating(RESOLVED_AT)]));
    expect(screen.getByRole('heading', { name: 'Your rating' })).toBeInTheDocument();
    expect(screen.getByText('4 of 5')).toBeInTheDocument();
    expect(screen.getByText('Quick and clear.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Send rating' })).not.toBeInTheDocument();
  });

  it('asks again after a reopen and a new resolution', () => {
    renderPrompt(ticket([rating('2026-11-20T09:00:00.000Z')]));
    expect(screen.getByRole('heading', { name: 'How did we do?' })).toBeInTheDocument();
  });

  it('asks nothing of a reader who may not write', () => {
    const { container } = renderPrompt(ticket([]), false);
    expect(container).toBeEmptyDOMElement();
  });
});
