import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, data } from '../../api/client.ts';
import { formatDate } from '../../ui/format.ts';
import { CursorPagination, useCursorPages } from '../../ui/pagination.tsx';
import { EmptyState, QueryView } from '../../ui/states.tsx';
import { anomalySeverity, serviceName } from './tables.ts';
import type { Severity } from './tables.ts';

const PAGE_SIZE = 10;
const SEVERITY_BADGE: Record<Severity, string> = {
  high: 'badge badge-danger',
  medium: 'badge badge-warning',
  low: 'badge badge-info',
};

/** Detected anomalies, newest day first, paged. Amounts in the tenant's currency when known. */
export function AnomalyList({ currency }: { currency: string | undefined }) {
  const pages = useCursorPages();
  const query = useQuery({
    queryKey: ['forecast', 'anomalies', pages.cursor],
    queryFn: async () =>
      data(await api.GET('/v1/cost/anomalies', { params: { query: { limit: PAGE_SIZE, cursor: pages.cursor } } })),
    placeholderData: keepPreviousData,
  });
  const amount = (value: number) =>
    new Intl.NumberFormat(undefined, currency ? { style: 'currency', currency } : { maximumFractionDigits: 2 }).format(
      value,
    );
  return (
    <QueryView query={query} loadingHeight={200}>
      {(page) =>
        page.anomalies.length === 0 ? (
          <EmptyState title="No anomalies detected">
            <p className="muted">Days whose cost stands far from the expected level are listed here.</p>
          </EmptyState>
        ) : (
          <>
            <div className="table-wrap">
              <table className="table">
                <caption className="visually-hidden">Cost anomalies, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Service</th>
                    <th scope="col" className="num">
                      Expected
                    </th>
                    <th scope="col" className="num">
                      Actual
                    </th>
                    <th scope="col">Severity</th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {page.anomalies.map((anomaly) => {
                    const severity = anomalySeverity(anomaly);
                    return (
                      <tr key={anomaly.id}>
                        <td className="nowrap">{formatDate(`${anomaly.date}T12:00:00Z`)}</td>
                        <td className="anomaly-service">{serviceName(anomaly.service)}</td>
                        <td className="num">{amount(anomaly.expected)}</td>
                        <td className="num">
                          {amount(anomaly.actual)}{' '}
                          <span className="muted">({anomaly.direction === 'spike' ? 'spike' : 'drop'})</span>
                        </td>
                        <td>
                          <span className={SEVERITY_BADGE[severity]}>{severity}</span>
                        </td>
                        <td className="anomaly-reason">{anomaly.reason}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            {(pages.pageNumber > 1 || page.has_more) && (
              <CursorPagination pages={pages} nextCursor={page.next_cursor} label="Anomalies" />
            )}
          </>
        )
      }
    </QueryView>
  );
}
