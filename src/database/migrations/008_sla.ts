import type { Kysely } from 'kysely';

/**
 * The SLA engine: each ticket's clock state (JSON, see src/tickets/sla/clocks.ts), and the
 * calendars and per-tier policies platform admins configure (built-in defaults apply until then).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tickets').addColumn('sla_clocks', 'text').execute();
  await db.schema
    .createTable('sla_calendars')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('always_open', 'integer', (c) => c.notNull())
    .addColumn('hours', 'text', (c) => c.notNull())
    .addColumn('holidays', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sla_policies')
    .addColumn('tier', 'text', (c) => c.primaryKey())
    .addColumn('calendar_id', 'text', (c) => c.notNull())
    .addColumn('critical_calendar_id', 'text', (c) => c.notNull())
    .addColumn('warning_percent', 'integer', (c) => c.notNull())
    .addColumn('targets', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
