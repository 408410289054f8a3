import type { Selectable, Updateable } from 'kysely';
import type { Tier } from '../config/config.ts';
import type { Executor } from '../jobs/types.ts';
import type { TicketId } from './ids.ts';
import type { Ticket } from './repository.ts';
import { BUILT_IN_CALENDARS } from './sla/calendar.ts';
import type { BusinessCalendar } from './sla/calendar.ts';
import { defaultPolicy } from './sla/policy.ts';
import type { SlaPolicy } from './sla/policy.ts';
import type { SlaCalendarsTable, TicketHistoryTable, TicketsTable } from './tables.ts';

/** Every calendar and policy in force: admins' rows over the built-in defaults. */
export interface SlaSettings {
  calendars: ReadonlyMap<string, BusinessCalendar>;
  policy(tier: Tier): SlaPolicy;
}

type CalendarRow = Selectable<SlaCalendarsTable>;

// The same stored calendar parses to the same object every time, so what the business-time code
// caches per calendar (its days) outlives one request. Keyed by the row's content: an edited
// calendar is a new key, and another process's edit is seen as soon as its row is read.
const MAX_PARSED_CALENDARS = 256;
const parsedCalendars = new Map<string, BusinessCalendar>();

function calendarOf(row: CalendarRow): BusinessCalendar {
  const key = JSON.stringify([row.id, row.name, row.time_zone, row.always_open, row.hours, row.holidays]);
  let calendar = parsedCalendars.get(key);
  if (!calendar) {
    calendar = {
      id: row.id,
      name: row.name,
      timeZone: row.time_zone,
      alwaysOpen: row.always_open === 1,
      hours: JSON.parse(row.hours) as BusinessCalendar['hours'],
      holidays: JSON.parse(row.holidays) as string[],
    };
    if (parsedCalendars.size >= MAX_PARSED_CALENDARS) parsedCalendars.clear();
    parsedCalendars.set(key, calendar);
  }
  return calendar;
}

/**
 * The SQL of the SLA engine. Calendars and policies are platform-wide (no tenant scope); the
 * ticket methods are for the engine and its due-check job, which act on one ticket by id.
 */
export function slaRepository(db: Executor) {
  return {
    async settings(): Promise<SlaSettings> {
      const calendarRows = await db.selectFrom('sla_calendars').selectAll().execute();
      const policyRows = await db.selectFrom('sla_policies').selectAll().execute();
      const calendars = new Map(BUILT_IN_CALENDARS.map((c) => [c.id, c]));
      for (const row of calendarRows) calendars.set(row.id, calendarOf(row));
      const policies = new Map(
        policyRows.map((row) => [
          row.tier,
          {
            tier: row.tier as Tier,
            calendar_id: row.calendar_id,
            critical_calendar_id: row.critical_calendar_id,
            warning_percent: row.warning_percent,
            targets: JSON.parse(row.targets) as SlaPolicy['targets'],
          },
        ]),
      );
      return { calendars, policy: (tier) => policies.get(tier) ?? defaultPolicy(tier) };
    },

    async saveCalendar(calendar: BusinessCalendar, now: Date): Promise<void> {
      const row = {
        name: calendar.name,
        time_zone: calendar.timeZone,
        always_open: calendar.alwaysOpen ? 1 : 0,
        hours: JSON.stringify(calendar.hours),
        holidays: JSON.stringify(calendar.holidays),
        updated_at: now.toISOString(),
      };
      await db
        .insertInto('sla_calendars')
        .values({ id: calendar.id, ...row })
        .onConflict((oc) => oc.column('id').doUpdateSet(row))
        .execute();
    },

    async savePolicy(policy: SlaPolicy, now: Date): Promise<void> {
      const row = {
        calendar_id: policy.calendar_id,
        critical_calendar_id: policy.critical_calendar_id,
        warning_percent: policy.warning_percent,
        targets: JSON.stringify(policy.targets),
        updated_at: now.toISOString(),
      };
      await db
        .insertInto('sla_policies')
        .values({ tier: policy.tier, ...row })
        .onConflict((oc) => oc.column('tier').doUpdateSet(row))
        .execute();
    },

    /** The tier of a tenant; standard when it has none recorded. */
    async tierOf(customerId: string): Promise<Tier> {
      const row = await db.selectFrom('customers').select('tier').where('id', '=', customerId).executeTakeFirst();
      return (row?.tier as Tier | undefined) ?? 'standard';
    },

    async findTicket(id: TicketId): Promise<Ticket | undefined> {
      return db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Applies a change if the ticket is still at `version`; undefined when someone changed it first. */
    async updateTicket(id: TicketId, version: number, changes: Updateable<TicketsTable>): Promise<Ticket | undefined> {
      return db
        .updateTable('tickets')
        .set(changes)
        .where('id', '=', id)
        .where('version', '=', version)
        .returningAll()
        .executeTakeFirst();
    },

    async insertHistory(entries: TicketHistoryTable[]): Promise<void> {
      if (entries.length > 0) await db.insertInto('ticket_history').values(entries).execute();
    },
  };
}

export type SlaRepository = ReturnType<typeof slaRepository>;
