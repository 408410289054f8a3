import type { Kysely } from 'kysely';
import { enqueueJobs } from '../../jobs/enqueue.ts';
import type { Database } from '../schema.ts';

/**
 * The support desk's staff side: CSAT ratings (one per resolution, keyed by the resolution's
 * time), agent availability for round-robin assignment, the indexes of the staff views and of
 * follow-up links, and auto-close jobs for tickets resolved before this release (new resolutions
 * schedule their own; see src/tickets/lifecycle.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ticket_satisfaction')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text', (c) => c.notNull())
    .addColumn('rating', 'integer', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('rated_by', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('ticket_satisfaction_resolution_uq', ['ticket_id', 'resolved_at'])
    .execute();
  await db.schema
    .createIndex('ticket_satisfaction_customer_idx')
    .on('ticket_satisfaction')
    .columns(['customer_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('ticket_satisfaction_agent_idx')
    .on('ticket_satisfaction')
    .columns(['agent_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('support_agents')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
    .addColumn('available', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_assigned_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('support_agents_available_idx')
    .on('support_agents')
    .columns(['available', 'last_assigned_at'])
    .execute();

  await db.schema
    .createIndex('tickets_assignee_idx')
    .on('tickets')
    .columns(['assignee_id', 'status', 'created_at'])
    .execute();
  await db.schema.createIndex('tickets_sla_status_idx').on('tickets').columns(['sla_status', 'created_at']).execute();
  await db.schema.createIndex('tickets_follow_up_idx').on('tickets').column('follow_up_of').execute();

  const typed = db as unknown as Kysely<Database>;
  const resolved = await typed
    .selectFrom('tickets')
    .select(['id', 'resolved_at'])
    .where('status', '=', 'resolved')
    .where('resolved_at', 'is not', null)
    .execute();
  const now = new Date();
  await enqueueJobs(
    typed,
    resolved.map((ticket) => ({
      name: 'tickets.auto_close',
      payload: { ticketId: ticket.id, resolvedAt: ticket.resolved_at },
      // Due at once: the handler waits out the configured period itself (RetryLater).
      runAt: new Date(ticket.resolved_at as string),
      uniqueKey: `tickets.auto_close:${ticket.id}:${ticket.resolved_at}`,
    })),
    now,
  );
}
