import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { problemDetail } from '../api/problem.ts';

/** A placeholder of the content's usual height, so the page does not shift when data arrives. */
export function Loading({ label = 'Loading…', minHeight = 160 }: { label?: string; minHeight?: number }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite" style={{ minHeight }}>
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children}
    </div>
  );
}

/** An error shows the API problem's `detail`, never a generic message. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">Could not load this</p>
      <p>{problemDetail(error)}</p>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Renders a query's loading, error or data state; `children` gets the data. */
export function QueryView<T>({
  query,
  children,
  loadingHeight,
}: {
  query: UseQueryResult<T>;
  children: (data: T) => ReactNode;
  loadingHeight?: number;
}) {
  if (query.isPending) return <Loading minHeight={loadingHeight} />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}

/** An inline message for a failed action (mutation), announced to screen readers. */
export function ActionError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="action-error" role="alert">
      {problemDetail(error)}
    </p>
  );
}
