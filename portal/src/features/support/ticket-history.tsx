import { useQuery } from '@tanstack/react-query';
import { formatDateTime } from '../../ui/format.ts';
import { EmptyState, QueryView } from '../../ui/states.tsx';
import { formatPast } from './use-now.ts';
import { describeChange } from './history.ts';
import { authorName } from './people.ts';
import type { Viewer } from './people.ts';
import { fetchHistory, supportKeys } from './support-api.ts';

/** The ticket's changes, oldest first. */
export function TicketHistory({
  ticketRef,
  viewer,
  agentNames,
  now,
}: {
  ticketRef: string;
  viewer: Viewer;
  agentNames: ReadonlyMap<string, string>;
  now: number;
}) {
  const history = useQuery({ queryKey: supportKeys.history(ticketRef), queryFn: () => fetchHistory(ticketRef) });
  const nameOf = (userId: string | null) => authorName({ id: userId, role: 'staff' }, viewer, agentNames);
  return (
    <section className="card" aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      <QueryView query={history} loadingHeight={80}>
        {(entries) =>
          entries.length === 0 ? (
            <EmptyState title="No changes yet" />
          ) : (
            <ol className="timeline">
              {entries.map((entry) => (
                <li key={entry.id}>
                  <span>{describeChange(entry, nameOf)}</span>
                  <span className="muted">
                    {authorName({ id: entry.actor_id, role: entry.actor_role }, viewer, agentNames)},{' '}
                    <time dateTime={entry.created_at} title={formatDateTime(entry.created_at)}>
                      {formatPast(entry.created_at, now)}
                    </time>
                  </span>
                </li>
              ))}
            </ol>
          )
        }
      </QueryView>
    </section>
  );
}
