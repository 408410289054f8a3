import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ApiProblem } from '../../api/problem.ts';
import { NewTicketForm } from './new-ticket-form.tsx';

describe('NewTicketForm', () => {
  it('shows the errors and does not submit a too-short subject and description', async () => {
    const onSubmit = vi.fn();
    render(<NewTicketForm onSubmit={onSubmit} pending={false} error={null} />);
    await userEvent.type(screen.getByLabelText('Subject'), 'VPN');
    await userEvent.type(screen.getByLabelText('Description'), 'Broken.');
    await userEvent.click(screen.getByRole('button', { name: 'Create ticket' }));

    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getByLabelText('Subject')).toHaveAccessibleDescription(
      expect.stringContaining('Subject needs at least 5 characters (3 so far)'),
    );
    expect(screen.getByLabelText('Subject')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText('Description needs at least 20 characters (7 so far)')).toBeInTheDocument();
  });

  it('submits valid values with the chosen priority and category', async () => {
    const onSubmit = vi.fn();
    render(<NewTicketForm onSubmit={onSubmit} pending={false} error={null} />);
    await userEvent.type(screen.getByLabelText('Subject'), 'VPN drops hourly');
    await userEvent.type(screen.getByLabelText('Description'), 'The tunnel to eu-west-1 drops every hour.');
    await userEvent.selectOptions(screen.getByLabelText('Priority'), 'high');
    await userEvent.selectOptions(screen.getByLabelText('Category'), 'technical');
    await userEvent.click(screen.getByRole('button', { name: 'Create ticket' }));

    expect(onSubmit).toHaveBeenCalledWith(
      {
        subject: 'VPN drops hourly',
        description: 'The tunnel to eu-west-1 drops every hour.',
        priority: 'high',
        category: 'technical',
      },
      [],
    );
  });

  it('clears an error once the field is fixed', async () => {
    render(<NewTicketForm onSubmit={vi.fn()} pending={false} error={null} />);
    await userEvent.type(screen.getByLabelText('Subject'), 'VPN');
    await userEvent.click(screen.getByRole('button', { name: 'Create ticket' }));
    expect(screen.getByText(/Subject needs at least 5/)).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Subject'), ' down');
    expect(screen.queryByText(/Subject needs at least 5/)).not.toBeInTheDocument();
  });

  it("shows the server's field errors on the fields", () => {
    const error = new ApiProblem(400, {
      detail: 'The request is invalid',
      errors: [{ field: '/subject', message: 'must be at least 5 characters after trimming' }],
    });
    render(<NewTicketForm onSubmit={vi.fn()} pending={false} error={error} />);
    expect(screen.getByText('must be at least 5 characters after trimming')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('previews the description as Markdown', async () => {
    render(<NewTicketForm onSubmit={vi.fn()} pending={false} error={null} />);
    await userEvent.type(screen.getByLabelText('Description'), 'It **fails** with <script>x</script>');
    await userEvent.click(screen.getByRole('tab', { name: 'Preview' }));
    expect(screen.getByText('fails').tagName).toBe('STRONG');
    expect(document.querySelector('script')).toBeNull();
  });
});
