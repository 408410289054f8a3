import { sql } from 'kysely';
import type { AliasedRawBuilder, RawBuilder } from 'kysely';
import { adapterOf } from '../database/adapter.ts';
import type { Executor } from '../jobs/types.ts';
import { fts5Query, tsqueryPrefixText } from './search-query.ts';
import type { SearchTerm } from './search-query.ts';

/** A full-text filter of the ticket list: the parsed terms and whether internal notes count. */
export interface TicketSearch {
  terms: SearchTerm[];
  /** Staff only: internal notes match and rank too. */
  includeInternal: boolean;
}

/** The matching tickets as a derived table `matches (ticket_id, rank)`; a lower rank is a better match. */
export type SearchMatches = AliasedRawBuilder<{ ticket_id: string; customer_id: string; rank: number }, 'matches'>;

// Relative weights of the parts of a ticket: a word in the subject says most about it.
const SQLITE_WEIGHTS = { subject: 10, description: 4, comments: 1, internal: 1 } as const;

/**
 * SQLite FTS5: bm25 (already "lower is better"); the customer query names only the public columns
 * and weighs the internal one zero, so internal notes neither match nor move the ranking.
 */
function sqliteMatches(search: TicketSearch): SearchMatches {
  const columns = search.includeInternal
    ? ['subject', 'description', 'comments', 'internal']
    : ['subject', 'description', 'comments'];
  const w = SQLITE_WEIGHTS;
  const internalWeight = search.includeInternal ? w.internal : 0;
  return sql<{ ticket_id: string; customer_id: string; rank: number }>`(select d.ticket_id as ticket_id,
      d.customer_id as customer_id, bm25(ticket_search, ${sql.lit(w.subject)}, ${sql.lit(w.description)}, ${sql.lit(w.comments)}, ${sql.lit(internalWeight)}) as rank
    from ticket_search join ticket_search_docs d on d.doc_id = ticket_search.rowid
    where ticket_search match ${fts5Query(search.terms, columns)})`.as('matches');
}

/** PostgreSQL: the terms as one tsquery built from parameters, never parsed from user text. */
function tsquery(terms: SearchTerm[]): RawBuilder<unknown> {
  const parts = terms.map((term) =>
    term.prefix
      ? sql`to_tsquery('simple', ${tsqueryPrefixText(term)})`
      : sql`phraseto_tsquery('simple', ${term.words.join(' ')})`,
  );
  return sql`(${sql.join(parts, sql` && `)})`;
}

/** PostgreSQL: the GIN-indexed document (public, or public || internal for staff), ranked by ts_rank negated. */
function postgresMatches(search: TicketSearch): SearchMatches {
  const doc = search.includeInternal ? sql`(d.public_doc || d.internal_doc)` : sql`d.public_doc`;
  const query = tsquery(search.terms);
  return sql<{ ticket_id: string; customer_id: string; rank: number }>`(select d.ticket_id as ticket_id,
      d.customer_id as customer_id, -ts_rank(${doc}, ${query}) as rank
    from ticket_search_docs d where ${doc} @@ ${query})`.as('matches');
}

/** The derived table of tickets matching `search`, in the dialect of `db`. */
export function searchMatches(db: Executor, search: TicketSearch): SearchMatches {
  return adapterOf(db).name === 'postgres' ? postgresMatches(search) : sqliteMatches(search);
}
