import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { sampleReport } from './report.fixture.ts';
import { ServiceCosts } from './service-costs.tsx';

describe('cost by service table', () => {
  it('sorts by the header clicked and says so with aria-sort', async () => {
    render(<ServiceCosts services={sampleReport().service_breakdown} currency="USD" months={6} />);
    const table = screen.getByRole('table');
    const names = () =>
      within(table)
        .getAllByRole('row')
        .slice(1)
        .map((row) => within(row).getAllByRole('cell')[0]!.textContent);
    const amount = within(table).getByRole('columnheader', { name: /Projected cost/ });
    const service = within(table).getByRole('columnheader', { name: /Service/ });
    expect(amount).toHaveAttribute('aria-sort', 'descending');
    expect(service).toHaveAttribute('aria-sort', 'none');
    expect(names()).toEqual(['EC2', 'RDS', 'S3']);

    await userEvent.click(within(service).getByRole('button'));
    expect(service).toHaveAttribute('aria-sort', 'ascending');
    expect(amount).toHaveAttribute('aria-sort', 'none');
    await userEvent.click(within(service).getByRole('button'));
    expect(service).toHaveAttribute('aria-sort', 'descending');
    expect(names()).toEqual(['S3', 'RDS', 'EC2']);
  });

  it('says so when no service has a cost', () => {
    render(<ServiceCosts services={[]} currency="USD" months={6} />);
    expect(screen.getByText('No service has a projected cost.')).toBeInTheDocument();
  });
});
