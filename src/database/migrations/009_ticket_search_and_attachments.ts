import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { adapterOf } from '../adapter.ts';

/**
 * Ticket full-text search and attachments (src/tickets/search.ts, src/tickets/attachments/).
 *
 * Search keeps one document per ticket, written by triggers in the transaction of the change
 * that causes it (a new ticket, an edited subject or description, a new comment), so whatever
 * path writes tickets or comments, the index is current at commit and never a moment later.
 * Public text (subject, description, public comments) and internal notes are kept apart, so a
 * customer's query never matches, nor is ranked by, an internal note. Comments are immutable;
 * a ticket's document goes with the ticket.
 * - SQLite: an FTS5 table (unicode61 tokens, diacritics folded); `ticket_search_docs` maps
 *   ticket ids to its integer rowids.
 * - Both: `ticket_search_docs` carries the tenant, so a search ranks and pages a tenant's
 *   matches without reading the tickets, which are read for the one page shown.
 * - PostgreSQL: `ticket_search_docs` holds two tsvectors ('simple' configuration: no stemming,
 *   language-neutral like the SQLite side), a GIN index on the public one and one on public ||
 *   internal for staff.
 *
 * Attachments: one row per stored file (the file is named by the row's id under the data
 * directory), and `ticket_attachment_purges`, the files whose rows retention deleted, unlinked
 * after the commit (and again by the next sweep if a crash came in between).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (adapterOf(db).name === 'postgres') await postgresSearch(db);
  else await sqliteSearch(db);

  await db.schema
    .createTable('ticket_attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('comment_id', 'text', (c) => c.references('ticket_comments.id'))
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('uploader_role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ticket_attachments_ticket_idx')
    .on('ticket_attachments')
    .columns(['ticket_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('ticket_attachments_comment_idx')
    .on('ticket_attachments')
    .columns(['comment_id'])
    .execute();
  await db.schema
    .createTable('ticket_attachment_purges')
    .addColumn('attachment_id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

async function sqliteSearch(db: Kysely<unknown>): Promise<void> {
  await sql`create table ticket_search_docs (doc_id integer primary key, ticket_id text not null unique, customer_id text not null)`.execute(
    db,
  );
  await sql`create virtual table ticket_search using fts5(subject, description, comments, internal, tokenize = 'unicode61 remove_diacritics 2')`.execute(
    db,
  );
  const docOf = (ticket: string) => sql.raw(`(select doc_id from ticket_search_docs where ticket_id = ${ticket})`);
  await sql`create trigger ticket_search_ticket_ai after insert on tickets begin
    insert into ticket_search_docs (ticket_id, customer_id) values (new.id, new.customer_id);
    insert into ticket_search (rowid, subject, description, comments, internal)
      values (${docOf('new.id')}, new.subject, new.description, '', '');
  end`.execute(db);
  await sql`create trigger ticket_search_ticket_au after update of subject, description on tickets begin
    update ticket_search set subject = new.subject, description = new.description where rowid = ${docOf('new.id')};
  end`.execute(db);
  await sql`create trigger ticket_search_ticket_ad after delete on tickets begin
    delete from ticket_search where rowid = ${docOf('old.id')};
    delete from ticket_search_docs where ticket_id = old.id;
  end`.execute(db);
  await sql`create trigger ticket_search_comment_ai after insert on ticket_comments begin
    update ticket_search set comments = comments || char(10) || new.body
      where new.visibility = 'public' and rowid = ${docOf('new.ticket_id')};
    update ticket_search set internal = internal || char(10) || new.body
      where new.visibility = 'internal' and rowid = ${docOf('new.ticket_id')};
  end`.execute(db);
  // Tickets written before this migration.
  await sql`insert into ticket_search_docs (ticket_id, customer_id) select id, customer_id from tickets order by created_at, id`.execute(
    db,
  );
  const comments = (visibility: string) =>
    sql.raw(`coalesce((select group_concat(body, char(10)) from (select body from ticket_comments c
      where c.ticket_id = t.id and c.visibility = '${visibility}' order by c.created_at, c.id)), '')`);
  await sql`insert into ticket_search (rowid, subject, description, comments, internal)
    select d.doc_id, t.subject, t.description, ${comments('public')}, ${comments('internal')}
    from tickets t join ticket_search_docs d on d.ticket_id = t.id`.execute(db);
}

async function postgresSearch(db: Kysely<unknown>): Promise<void> {
  await sql`create table ticket_search_docs (
    ticket_id text primary key references tickets (id) on delete cascade,
    customer_id text not null,
    public_doc tsvector not null,
    internal_doc tsvector not null default ''::tsvector
  )`.execute(db);
  await sql`create index ticket_search_docs_public_idx on ticket_search_docs using gin (public_doc)`.execute(db);
  await sql`create index ticket_search_docs_staff_idx on ticket_search_docs using gin ((public_doc || internal_doc))`.execute(
    db,
  );
  // Subject weighs most (A), then the description (B), public comments (C), internal notes (D).
  const comments = (ticket: string, visibility: string, weight: string) =>
    sql.raw(`setweight(to_tsvector('simple', coalesce((select string_agg(c.body, chr(10) order by c.created_at, c.id)
      from ticket_comments c where c.ticket_id = ${ticket} and c.visibility = '${visibility}'), '')), '${weight}')`);
  const header = (ticket: string) =>
    sql.raw(
      `setweight(to_tsvector('simple', ${ticket}.subject), 'A') || setweight(to_tsvector('simple', ${ticket}.description), 'B')`,
    );
  await sql`create function ticket_search_on_ticket() returns trigger language plpgsql as $$
  begin
    insert into ticket_search_docs (ticket_id, customer_id, public_doc, internal_doc)
      values (new.id, new.customer_id, ${header('new')} || ${comments('new.id', 'public', 'C')}, ${comments('new.id', 'internal', 'D')})
      on conflict (ticket_id) do update set public_doc = excluded.public_doc, internal_doc = excluded.internal_doc;
    return null;
  end $$`.execute(db);
  await sql`create trigger ticket_search_ticket_ai after insert on tickets
    for each row execute function ticket_search_on_ticket()`.execute(db);
  await sql`create trigger ticket_search_ticket_au after update of subject, description on tickets
    for each row when (old.subject is distinct from new.subject or old.description is distinct from new.description)
    execute function ticket_search_on_ticket()`.execute(db);
  // A comment appends to its ticket's document (tsvector concatenation shifts its positions after
  // the existing ones), so a reply costs its own text, not the whole conversation's.
  await sql`create function ticket_search_on_comment() returns trigger language plpgsql as $$
  begin
    if new.visibility = 'internal' then
      update ticket_search_docs set internal_doc = internal_doc || setweight(to_tsvector('simple', new.body), 'D')
        where ticket_id = new.ticket_id;
    else
      update ticket_search_docs set public_doc = public_doc || setweight(to_tsvector('simple', new.body), 'C')
        where ticket_id = new.ticket_id;
    end if;
    return null;
  end $$`.execute(db);
  await sql`create trigger ticket_search_comment_ai after insert on ticket_comments
    for each row execute function ticket_search_on_comment()`.execute(db);
  // Tickets written before this migration.
  await sql`insert into ticket_search_docs (ticket_id, customer_id, public_doc, internal_doc)
    select t.id, t.customer_id, ${header('t')} || ${comments('t.id', 'public', 'C')}, ${comments('t.id', 'internal', 'D')}
    from tickets t`.execute(db);
}
