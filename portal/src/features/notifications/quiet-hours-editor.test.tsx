import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { QuietHoursEditor } from './quiet-hours-editor.tsx';

describe('the quiet-hours editor', () => {
  it('refuses equal times, then saves with the chosen zone', async () => {
    const onSave = vi.fn();
    render(<QuietHoursEditor saved={null} onSave={onSave} saving={false} />);
    expect(screen.getByRole('status')).toHaveTextContent('No quiet hours');
    await userEvent.click(screen.getByRole('checkbox', { name: /Hold emails during quiet hours/ }));
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '22:00' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '22:00' } });
    await userEvent.click(screen.getByRole('button', { name: 'Save quiet hours' }));
    expect(screen.getByLabelText('To')).toHaveAccessibleDescription(/Must differ from the start/);
    expect(onSave).not.toHaveBeenCalled();

    fireEvent.change(screen.getByLabelText('To'), { target: { value: '07:00' } });
    await userEvent.selectOptions(screen.getByLabelText('Time zone'), 'Europe/Berlin');
    await userEvent.click(screen.getByRole('checkbox', { name: 'Sunday' }));
    await userEvent.click(screen.getByRole('button', { name: 'Save quiet hours' }));
    expect(onSave).toHaveBeenCalledWith({
      start: '22:00',
      end: '07:00',
      time_zone: 'Europe/Berlin',
      days: [1, 2, 3, 4, 5, 6],
    });
  });

  it('defaults the zone to the browser’s and shows what is saved', () => {
    const saved = { start: '22:00', end: '07:00', time_zone: 'Europe/Berlin', days: [1, 2, 3, 4, 5, 6, 7] };
    const { unmount } = render(<QuietHoursEditor saved={saved} onSave={vi.fn()} saving={false} />);
    expect(screen.getByRole('status')).toHaveTextContent('Quiet from 22:00 to 07:00 Europe/Berlin');
    expect(screen.getByLabelText('Time zone')).toHaveValue('Europe/Berlin');
    unmount();
    render(<QuietHoursEditor saved={null} onSave={vi.fn()} saving={false} />);
    fireEvent.click(screen.getByRole('checkbox', { name: /Hold emails/ }));
    expect(screen.getByLabelText('Time zone')).toHaveValue(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it('switching off saves null', async () => {
    const onSave = vi.fn();
    const saved = { start: '22:00', end: '07:00', time_zone: 'UTC', days: [1] };
    render(<QuietHoursEditor saved={saved} onSave={onSave} saving={false} />);
    await userEvent.click(screen.getByRole('checkbox', { name: /Hold emails/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Save quiet hours' }));
    expect(onSave).toHaveBeenCalledWith(null);
  });
});
