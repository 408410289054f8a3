import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../../api/problem.ts';
import { NoForecast } from './no-forecast.tsx';

describe('the forecast refused for a short history', () => {
  it('shows the server detail as is and how to import, with no cost data at all', () => {
    const problem = new ApiProblem(422, {
      detail: 'No cost data before 2026-11-28: a forecast needs 3 full months',
      full_months: [],
    });
    render(<NoForecast problem={problem} canImport />);
    expect(screen.getByRole('heading', { name: 'No cost data yet' })).toBeInTheDocument();
    expect(screen.getByText('No cost data before 2026-11-28: a forecast needs 3 full months')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Import a billing file' })).toHaveAttribute('href', '#import');
  });

  it('names a short history and tells a viewer who can import', () => {
    const problem = new ApiProblem(422, {
      detail: 'A forecast needs 3 full months of cost history; has 2 (2026-09, 2026-10)',
      full_months: ['2026-09', '2026-10'],
    });
    render(<NoForecast problem={problem} canImport={false} />);
    expect(screen.getByRole('heading', { name: 'Not enough cost history for a forecast' })).toBeInTheDocument();
    expect(screen.getByText(/has 2 \(2026-09, 2026-10\)/)).toBeInTheDocument();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
    expect(screen.getByText(/A member of your team can import/)).toBeInTheDocument();
  });
});
