import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { NotificationMatrix, withPendingChange } from './notification-matrix.tsx';
import type { Preferences } from './notification-matrix.tsx';

const row = (email: boolean, source: 'user' | 'tenant' | 'default' = 'default') => ({
  in_app: true,
  email,
  email_source: source,
});
const types: Preferences['types'] = {
  support: row(true),
  billing: row(true, 'tenant'),
  security_alert: row(true),
  compliance: row(false, 'user'),
  system: row(false),
  informational: row(false),
};

describe('the notification matrix', () => {
  it('saves just the toggled cell', async () => {
    const onSave = vi.fn();
    render(<NotificationMatrix types={types} onSave={onSave} saving={false} />);
    const support = screen.getByRole('checkbox', { name: 'Email for Support' });
    expect(support).toBeChecked();
    await userEvent.click(support);
    expect(onSave).toHaveBeenCalledWith({ types: { support: { email: false } } });
    await userEvent.click(screen.getByRole('checkbox', { name: 'Email for System' }));
    expect(onSave).toHaveBeenLastCalledWith({ types: { system: { email: true } } });
  });

  it('locks the in-app cells and says why', async () => {
    const onSave = vi.fn();
    render(<NotificationMatrix types={types} onSave={onSave} saving={false} />);
    const inApp = screen.getByRole('checkbox', { name: 'In-app for Billing and costs' });
    expect(inApp).toBeChecked();
    expect(inApp).toBeDisabled();
    expect(inApp).toHaveAccessibleDescription(/always on/);
    await userEvent.click(inApp);
    expect(onSave).not.toHaveBeenCalled();
  });

  it('offers the default back only where the person chose', async () => {
    const onSave = vi.fn();
    render(<NotificationMatrix types={types} onSave={onSave} saving={false} />);
    expect(screen.queryByRole('button', { name: /default email setting for Support/ })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Use the default email setting for Compliance' }));
    expect(onSave).toHaveBeenCalledWith({ types: { compliance: { email: null } } });
  });

  it('disables every cell while a change is saved, showing it as made', () => {
    const pending = withPendingChange(types, { types: { support: { email: false } } });
    render(<NotificationMatrix types={pending} onSave={vi.fn()} saving />);
    const support = screen.getByRole('checkbox', { name: 'Email for Support' });
    expect(support).not.toBeChecked();
    expect(support).toBeDisabled();
  });
});
