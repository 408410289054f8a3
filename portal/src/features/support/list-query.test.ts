import { describe, expect, it } from 'vitest';
import { apiQueryOf, filtersFromSearch, hasFilters, searchFromFilters } from './list-query.ts';

describe('list filters in the address', () => {
  it('round-trips through the query string', () => {
    const search = new URLSearchParams('q=sso+error&status=open&priority=high&category=billing&sort=-priority');
    const filters = filtersFromSearch(search);
    expect(filters).toEqual({
      q: 'sso error',
      status: 'open',
      priority: 'high',
      category: 'billing',
      sort: '-priority',
    });
    expect(searchFromFilters(filters).toString()).toBe(search.toString());
  });

  it('drops values the API does not know', () => {
    expect(filtersFromSearch(new URLSearchParams('status=lost&priority=urgent&sort=name'))).toEqual({
      q: '',
      status: '',
      priority: '',
      category: '',
      sort: '',
    });
  });

  it('keeps only what is set', () => {
    const filters = filtersFromSearch(new URLSearchParams('status=resolved'));
    expect(searchFromFilters({ ...filters, q: '  ' }).toString()).toBe('status=resolved');
    expect(hasFilters(filters)).toBe(true);
    expect(hasFilters(filtersFromSearch(new URLSearchParams('sort=created_at')))).toBe(false);
  });
});

describe('the API query', () => {
  it('sends the status as a list and trims the search', () => {
    const filters = filtersFromSearch(new URLSearchParams('q=%20vpn%20&status=open'));
    expect(apiQueryOf(filters)).toEqual({ q: 'vpn', status: ['open'] });
  });

  it('sorts by relevance only with a search', () => {
    expect(apiQueryOf(filtersFromSearch(new URLSearchParams('sort=relevance')))).toEqual({});
    expect(apiQueryOf(filtersFromSearch(new URLSearchParams('sort=relevance&q=vpn')))).toEqual({
      q: 'vpn',
      sort: 'relevance',
    });
  });
});
