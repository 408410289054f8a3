import { useState } from 'react';

/**
 * Cursor pagination over the API's `{items, next_cursor, has_more}` envelope: the cursors of the
 * pages before this one are kept, so "Previous" goes back without the API offering it.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  return {
    /** Pass as the `cursor` query parameter (undefined on the first page). */
    cursor: cursors[cursors.length - 1],
    pageNumber: cursors.length,
    next: (nextCursor: string) => setCursors((stack) => [...stack, nextCursor]),
    previous: () => setCursors((stack) => (stack.length > 1 ? stack.slice(0, -1) : stack)),
    /** Back to the first page (call when filters or the sort change). */
    reset: () => setCursors([undefined]),
  };
}

export function CursorPagination({
  pages,
  nextCursor,
  label,
}: {
  pages: ReturnType<typeof useCursorPages>;
  nextCursor: string | null | undefined;
  label: string;
}) {
  return (
    <nav className="pagination" aria-label={`${label} pages`}>
      <button type="button" className="btn btn-small" disabled={pages.pageNumber === 1} onClick={pages.previous}>
        Previous
      </button>
      <span className="muted">Page {pages.pageNumber}</span>
      <button
        type="button"
        className="btn btn-small"
        disabled={!nextCursor}
        onClick={() => nextCursor && pages.next(nextCursor)}
      >
        Next
      </button>
    </nav>
  );
}
