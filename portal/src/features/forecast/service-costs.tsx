import { useState } from 'react';
import { formatMoney } from '../../ui/format.ts';
import { nextSort, sortServices } from './tables.ts';
import type { ServiceSort, ServiceSortKey } from './tables.ts';
import type { ServiceShare } from './types.ts';

// Bars for the largest services; the table below lists every one.
const BARS_SHOWN = 8;

const COLUMNS: Array<{ key: ServiceSortKey; label: string; numeric: boolean }> = [
  { key: 'service', label: 'Service', numeric: false },
  { key: 'projected_cost', label: 'Projected cost', numeric: true },
  { key: 'percentage', label: 'Share', numeric: true },
];

/** Projected cost per service over the forecast months: bars and a sortable table. */
export function ServiceCosts({
  services,
  currency,
  months,
}: {
  services: readonly ServiceShare[];
  currency: string;
  months: number;
}) {
  const [sort, setSort] = useState<ServiceSort>({ key: 'projected_cost', direction: 'descending' });
  if (services.length === 0) return <p className="muted">No service has a projected cost.</p>;
  const largest = [...services].sort((a, b) => b.projected_cost - a.projected_cost).slice(0, BARS_SHOWN);
  const top = largest[0]?.projected_cost ?? 1;
  const rows = sortServices(services, sort);
  return (
    <div className="grid-2">
      <figure className="service-bars" aria-labelledby="service-bars-caption">
        <figcaption id="service-bars-caption" className="muted">
          Largest services, next {months} months
        </figcaption>
        <ul>
          {largest.map((row) => (
            <li key={row.service}>
              <span className="service-bar-label" title={row.service}>
                {row.service}
              </span>
              <span className="service-bar-track" aria-hidden="true">
                <span className="service-bar" style={{ width: `${(row.projected_cost / top) * 100}%` }} />
              </span>
              <span className="service-bar-value">
                {formatMoney(row.projected_cost, currency, { compact: true })} · {row.percentage.toFixed(1)} %
              </span>
            </li>
          ))}
        </ul>
      </figure>
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Projected cost by service, sortable</caption>
          <thead>
            <tr>
              {COLUMNS.map((column) => (
                <th
                  key={column.key}
                  scope="col"
                  className={column.numeric ? 'num' : undefined}
                  aria-sort={sort.key === column.key ? sort.direction : 'none'}
                >
                  <button type="button" className="sort-button" onClick={() => setSort(nextSort(sort, column.key))}>
                    {column.label}
                    <span aria-hidden="true" className="sort-mark">
                      {sort.key === column.key ? (sort.direction === 'ascending' ? '▲' : '▼') : '↕'}
                    </span>
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.service}>
                <td>{row.service}</td>
                <td className="num">{formatMoney(row.projected_cost, currency)}</td>
                <td className="num">{row.percentage.toFixed(1)} %</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
