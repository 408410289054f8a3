import { sql } from 'kysely';
import type { Insertable, Selectable } from 'kysely';
import type { TenantScope } from '../identity/auth-context.ts';
import { STAFF_ROLES } from '../identity/permissions.ts';
import { withinScope } from '../identity/scope.ts';
import type { UserId } from '../identity/tables.ts';
import type { Executor } from '../jobs/types.ts';
import type { TicketId } from './ids.ts';
import type { TicketSatisfactionTable } from './tables.ts';

/** A stored CSAT rating. */
export type SatisfactionRating = Selectable<TicketSatisfactionTable>;

/** Which ratings an aggregate covers; all optional. */
export interface SatisfactionFilters {
  agentId?: string | undefined;
  ratedAfter?: string | undefined;
  ratedBefore?: string | undefined;
}

/** Count, mean and distribution of a set of ratings. */
export interface SatisfactionAggregate {
  count: number;
  average: number | null;
  /** Ratings per score, index 0 = score 1. */
  distribution: [number, number, number, number, number];
}

/** One group of an aggregate (a tenant or an agent). */
export interface SatisfactionGroup {
  key: string | null;
  count: number;
  average: number;
}

/** Groups returned per dimension: the ones with the most ratings. */
export const SUMMARY_GROUP_LIMIT = 100;

/**
 * CSAT ratings within one tenant scope (staff: every tenant, or the one they filter on); every
 * query starts from the scope, like the ticket repository's.
 */
export function satisfactionRepository(db: Executor, scope: TenantScope) {
  const rated = (filters: SatisfactionFilters) => {
    let query = withinScope(db.selectFrom('ticket_satisfaction'), scope, 'ticket_satisfaction.customer_id');
    if (filters.agentId !== undefined) query = query.where('ticket_satisfaction.agent_id', '=', filters.agentId);
    if (filters.ratedAfter) query = query.where('ticket_satisfaction.created_at', '>=', filters.ratedAfter);
    if (filters.ratedBefore) query = query.where('ticket_satisfaction.created_at', '<', filters.ratedBefore);
    return query;
  };

  return {
    /** Stores a rating; false when this resolution of the ticket is rated already. */
    async insert(row: Insertable<TicketSatisfactionTable>): Promise<boolean> {
      if (scope.customerId !== undefined && scope.customerId !== row.customer_id)
        throw new Error('row outside the bound tenant scope');
      const inserted = await db
        .insertInto('ticket_satisfaction')
        .values(row)
        .onConflict((oc) => oc.columns(['ticket_id', 'resolved_at']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    /**
     * Who the ticket was assigned to at `at` when it was reassigned since: the `from` of the first
     * later assignee change; undefined when it was not reassigned (the current assignee it is).
     */
    async assigneeBefore(ticketId: TicketId, at: string): Promise<string | null | undefined> {
      const row = await withinScope(
        db.selectFrom('ticket_history').select('ticket_history.from_value'),
        scope,
        'ticket_history.customer_id',
      )
        .where('ticket_history.ticket_id', '=', ticketId)
        .where('ticket_history.field', '=', 'assignee_id')
        .where('ticket_history.created_at', '>', at)
        .orderBy('ticket_history.created_at')
        .orderBy('ticket_history.id')
        .limit(1)
        .executeTakeFirst();
      if (!row) return undefined;
      return row.from_value === null ? null : (JSON.parse(row.from_value) as string | null);
    },

    /** The ratings of one ticket, oldest first. */
    async listForTicket(ticketId: TicketId): Promise<SatisfactionRating[]> {
      return withinScope(db.selectFrom('ticket_satisfaction').selectAll(), scope, 'ticket_satisfaction.customer_id')
        .where('ticket_satisfaction.ticket_id', '=', ticketId)
        .orderBy('ticket_satisfaction.created_at')
        .orderBy('ticket_satisfaction.id')
        .execute();
    },

    /** Count, average and distribution of the matching ratings, in one aggregate query. */
    async aggregate(filters: SatisfactionFilters): Promise<SatisfactionAggregate> {
      const scoreCount = (score: number) =>
        sql<string | number>`sum(case when ${sql.ref('ticket_satisfaction.rating')} = ${score} then 1 else 0 end)`;
      const row = await rated(filters)
        .select((eb) => [
          eb.fn.countAll<string | number>().as('count'),
          eb.fn.avg<string | number | null>('ticket_satisfaction.rating').as('average'),
          scoreCount(1).as('r1'),
          scoreCount(2).as('r2'),
          scoreCount(3).as('r3'),
          scoreCount(4).as('r4'),
          scoreCount(5).as('r5'),
        ])
        .executeTakeFirstOrThrow();
      const count = Number(row.count);
      return {
        count,
        average: count === 0 || row.average === null ? null : Number(row.average),
        distribution: [
          Number(row.r1 ?? 0),
          Number(row.r2 ?? 0),
          Number(row.r3 ?? 0),
          Number(row.r4 ?? 0),
          Number(row.r5 ?? 0),
        ],
      };
    },

    /** The matching ratings grouped by tenant or by agent, most rated first. */
    async groups(by: 'customer_id' | 'agent_id', filters: SatisfactionFilters): Promise<SatisfactionGroup[]> {
      const column = `ticket_satisfaction.${by}` as const;
      const rows = await rated(filters)
        .select((eb) => [
          eb.ref(column).as('key'),
          eb.fn.countAll<string | number>().as('count'),
          eb.fn.avg<string | number>('ticket_satisfaction.rating').as('average'),
        ])
        .groupBy(column)
        .orderBy(sql`count(*)`, 'desc')
        .orderBy(column)
        .limit(SUMMARY_GROUP_LIMIT)
        .execute();
      return rows.map((row) => ({ key: row.key, count: Number(row.count), average: Number(row.average) }));
    },
  };
}

/** The CSAT repository bound to a scope. */
export type SatisfactionRepository = ReturnType<typeof satisfactionRepository>;
export type SatisfactionRepositoryFactory = (db: Executor, scope: TenantScope) => SatisfactionRepository;

/** A staff user with their desk settings. */
export interface SupportAgent {
  user_id: string;
  name: string;
  email: string;
  role: string;
  available: boolean;
  last_assigned_at: string | null;
}

const activeStaff = (db: Executor) =>
  db
    .selectFrom('users')
    .where('users.customer_id', 'is', null)
    .where('users.role', 'in', [...STAFF_ROLES])
    .where('users.status', '=', 'active');

/**
 * Staff desk settings: availability for round-robin and its rotation. Staff belong to no tenant,
 * so these queries are not tenant-scoped; only staff-only routes and ticket creation reach them.
 */
export function agentRepository(db: Executor) {
  const agents = () =>
    activeStaff(db)
      .leftJoin('support_agents', 'support_agents.user_id', 'users.id')
      .select([
        'users.id',
        'users.name',
        'users.email',
        'users.role',
        'support_agents.available',
        'support_agents.last_assigned_at',
      ]);
  const toAgent = (row: Awaited<ReturnType<ReturnType<typeof agents>['executeTakeFirstOrThrow']>>): SupportAgent => ({
    user_id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    available: row.available === 1,
    last_assigned_at: row.last_assigned_at ?? null,
  });
  return {
    /** Every active staff user, with availability (false when never set), by name. */
    async list(): Promise<SupportAgent[]> {
      const rows = await agents().orderBy('users.name').orderBy('users.id').execute();
      return rows.map(toAgent);
    },

    /** The agent's settings; undefined when the id is not an active staff user. */
    async find(userId: string): Promise<SupportAgent | undefined> {
      const row = await agents()
        .where('users.id', '=', userId as UserId)
        .executeTakeFirst();
      return row ? toAgent(row) : undefined;
    },

    /** Sets whether round-robin may assign to this user (an active staff user, checked by the caller). */
    async setAvailability(userId: string, available: boolean, now: string): Promise<void> {
      await db
        .insertInto('support_agents')
        .values({ user_id: userId, available: available ? 1 : 0, last_assigned_at: null, updated_at: now })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ available: available ? 1 : 0, updated_at: now }))
        .execute();
    },

    /**
     * The next agent in the rotation — the available active staff user assigned longest ago (never
     * assigned first) — marked as assigned now; null when nobody is available. Two tickets created
     * at the same instant on PostgreSQL may both go to the same agent: the rotation is fair over
     * time, not a strict alternation.
     */
    async takeNext(now: string): Promise<string | null> {
      const next = await db
        .selectFrom('support_agents')
        .select('support_agents.user_id')
        .where('support_agents.available', '=', 1)
        .where('support_agents.user_id', 'in', activeStaff(db).select('users.id'))
        .orderBy(sql`coalesce(${sql.ref('support_agents.last_assigned_at')}, '')`)
        .orderBy('support_agents.user_id')
        .limit(1)
        .executeTakeFirst();
      if (!next) return null;
      await db
        .updateTable('support_agents')
        .set({ last_assigned_at: now })
        .where('user_id', '=', next.user_id)
        .execute();
      return next.user_id;
    },
  };
}

/** The agent repository over a handle or a transaction. */
export type AgentRepository = ReturnType<typeof agentRepository>;
export type AgentRepositoryFactory = (db: Executor) => AgentRepository;
