import { CATEGORIES, PRIORITIES, STATUSES } from './fields.ts';
import type { TicketCategory, TicketPriority, TicketStatus } from './fields.ts';

/** The orders the list offers (a subset of the API's `sort`, named for people). */
export const SORT_OPTIONS = [
  { value: '-created_at', label: 'Newest first' },
  { value: 'created_at', label: 'Oldest first' },
  { value: '-updated_at', label: 'Recently updated' },
  { value: '-priority', label: 'Highest priority' },
  { value: 'relevance', label: 'Best match' },
] as const;
export type ListSort = (typeof SORT_OPTIONS)[number]['value'];

/** The list's filters, as kept in the address bar so a reload or a shared link shows the same list. */
export interface ListFilters {
  q: string;
  status: TicketStatus | '';
  priority: TicketPriority | '';
  category: TicketCategory | '';
  sort: ListSort | '';
}

const oneOf = <T extends string>(allowed: readonly T[], value: string | null): T | '' =>
  value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : '';

/** Reads the filters from the query string; unknown values are dropped, not sent to the API. */
export function filtersFromSearch(search: URLSearchParams): ListFilters {
  return {
    q: search.get('q') ?? '',
    status: oneOf(STATUSES, search.get('status')),
    priority: oneOf(PRIORITIES, search.get('priority')),
    category: oneOf(CATEGORIES, search.get('category')),
    sort: oneOf(
      SORT_OPTIONS.map((option) => option.value),
      search.get('sort'),
    ),
  };
}

/** The query string of the filters: only what is set, so the plain list has a plain address. */
export function searchFromFilters(filters: ListFilters): URLSearchParams {
  const search = new URLSearchParams();
  for (const key of ['q', 'status', 'priority', 'category', 'sort'] as const) {
    const value = key === 'q' ? filters.q.trim() : filters[key];
    if (value) search.set(key, value);
  }
  return search;
}

/** The API query of the filters (`relevance` only means something with a search). */
export function apiQueryOf(filters: ListFilters) {
  const q = filters.q.trim();
  const sort = filters.sort === 'relevance' && !q ? '' : filters.sort;
  return {
    ...(q ? { q } : {}),
    ...(filters.status ? { status: [filters.status] } : {}),
    ...(filters.priority ? { priority: filters.priority } : {}),
    ...(filters.category ? { category: filters.category } : {}),
    ...(sort ? { sort } : {}),
  };
}

export const hasFilters = (filters: ListFilters): boolean =>
  Boolean(filters.q.trim() || filters.status || filters.priority || filters.category);
