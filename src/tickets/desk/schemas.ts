import { Type } from 'typebox';
import { NullableNumber, NullableString, NullableTimestamp, Timestamp } from '../../http/schema-types.ts';

import { VIEWS } from '../fields.ts';

const Uuid = (description: string) =>
  Type.String({ format: 'uuid', description, examples: ['0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b'] });

/** `view` of `GET /support/tickets` (merged into the list query). */
export const ViewQuery = {
  view: Type.Optional(
    Type.Enum(VIEWS, {
      description:
        'A staff view: all, unassigned, mine (staff only: assigned to you), at_risk or breached (SLA status). ' +
        'Every view but all shows open, in-progress and waiting-customer tickets unless `status` says otherwise',
      examples: ['unassigned'],
    }),
  ),
};

/** Body of `POST /support/tickets/{id}/satisfaction`. */
export const RateBody = Type.Object(
  {
    rating: Type.Integer({ minimum: 1, maximum: 5, description: '1 (very unhappy) to 5 (very happy)', examples: [5] }),
    comment: Type.Optional(
      Type.String({ maxLength: 2000, description: 'Optional words about the support', examples: ['Quick and clear.'] }),
    ),
  },
  { additionalProperties: false },
);

/** One CSAT rating. */
export const SatisfactionView = Type.Object({
  id: Uuid('Rating id'),
  ticket_id: Uuid('The rated ticket'),
  rating: Type.Integer({ description: '1 to 5', examples: [5] }),
  comment: NullableString('What the customer wrote, or null', { examples: ['Quick and clear.'] }),
  resolved_at: Timestamp('The resolution this rating is for'),
  agent_id: NullableString('The assignee at that resolution, whom the rating counts for (null when unassigned)', {
    examples: [null],
  }),
  rated_by: Type.String({
    description: 'The user (or API key) that rated',
    examples: ['0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b'],
  }),
  created_at: Timestamp('When it was rated'),
});

/** `GET /support/tickets/{id}/satisfaction`. */
export const SatisfactionList = Type.Object({
  satisfaction: Type.Array(SatisfactionView, {
    description: 'Ratings of the ticket, one per resolution, oldest first',
  }),
});

/** Query of `GET /support/satisfaction/summary`. */
export const SummaryQuery = Type.Object(
  {
    customer_id: Type.Optional(Uuid('Only this tenant')),
    agent_id: Type.Optional(Uuid('Only ratings counted for this agent')),
    rated_after: Type.Optional(Timestamp('Only ratings given at or after this time')),
    rated_before: Type.Optional(Timestamp('Only ratings given before this time')),
  },
  { additionalProperties: false },
);

const Group = (key: string) =>
  Type.Object({
    key: NullableString(key, { examples: ['0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b'] }),
    count: Type.Integer({ description: 'Ratings', examples: [12] }),
    average: Type.Number({ description: 'Mean rating', examples: [4.25] }),
  });

/** The CSAT summary for platform admins. */
export const SummaryView = Type.Object({
  count: Type.Integer({ description: 'Ratings matching the filters', examples: [40] }),
  average: NullableNumber('number', 'Mean rating, null when there is none'),
  distribution: Type.Array(Type.Integer(), {
    minItems: 5,
    maxItems: 5,
    description: 'Ratings per score: [1s, 2s, 3s, 4s, 5s]',
    examples: [[1, 2, 4, 13, 20]],
  }),
  by_customer: Type.Array(Group('Tenant id'), { description: 'Per tenant, most rated first (at most 100)' }),
  by_agent: Type.Array(Group('Agent user id (null: tickets unassigned at resolution)'), {
    description: 'Per agent (the assignee at resolution), most rated first (at most 100)',
  }),
});

/** `{id}` of the agent routes. */
export const AgentParams = Type.Object({ id: Uuid('Staff user id') });

/** Body of `PUT /support/agents/{id}/availability`. */
export const AvailabilityBody = Type.Object(
  {
    available: Type.Boolean({
      description: 'True: round-robin may assign new tickets to this agent',
      examples: [true],
    }),
  },
  { additionalProperties: false },
);

/** A staff user with desk settings. */
export const AgentView = Type.Object({
  user_id: Uuid('Staff user id'),
  name: Type.String({ description: 'Display name', examples: ['Dana Agent'] }),
  email: Type.String({ description: 'Email', examples: ['dana@securebase.example'] }),
  role: Type.String({ description: 'agent or platform_admin', examples: ['agent'] }),
  available: Type.Boolean({ description: 'Takes round-robin assignments', examples: [true] }),
  last_assigned_at: NullableTimestamp('Last round-robin assignment'),
});

/** `GET /support/agents`. */
export const AgentList = Type.Object({
  agents: Type.Array(AgentView, { description: 'Active staff users, by name' }),
  round_robin: Type.Boolean({
    description: 'Whether new tickets are assigned round-robin (TICKET_ROUND_ROBIN)',
    examples: [false],
  }),
});

/** Follow-ups of a ticket, on `GET /support/tickets/{id}`. */
export const FollowUpView = Type.Object({
  id: Uuid('Follow-up ticket id'),
  reference: Type.String({ description: 'Its reference', examples: ['SB-1043'] }),
  status: Type.String({ description: 'Its status', examples: ['open'] }),
  created_at: Timestamp('When the reply opened it'),
});
