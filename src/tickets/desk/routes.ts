import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authOf } from '../../identity/authenticate.ts';
import { presentAgent, presentSatisfaction } from './presenter.ts';
import { TicketParams } from '../schemas.ts';
import {
  AgentList,
  AgentParams,
  AgentView,
  AvailabilityBody,
  RateBody,
  SatisfactionList,
  SatisfactionView,
  SummaryQuery,
  SummaryView,
} from './schemas.ts';
import type { TicketService } from '../service.ts';

type App = Parameters<FastifyPluginAsyncTypebox>[0];
const TAGS = ['tickets'];

/**
 * The support desk's staff side and CSAT: rating a resolution, the ratings of a ticket, the CSAT
 * summary for platform admins, and agents' availability for round-robin assignment.
 */
export function registerDeskRoutes(app: App, tickets: TicketService): void {
  app.post(
    '/support/tickets/:id/satisfaction',
    {
      schema: {
        operationId: 'rateTicket',
        tags: TAGS,
        summary: 'Rate the support of a resolved ticket (CSAT, once per resolution)',
        params: TicketParams,
        body: RateBody,
        response: { 201: SatisfactionView },
      },
      config: { permission: 'tickets:write' },
    },
    async (request, reply) => {
      const rated = await tickets.satisfaction.rate(authOf(request), request.params.id, request.body);
      return reply.code(201).send(presentSatisfaction(rated));
    },
  );

  app.get(
    '/support/tickets/:id/satisfaction',
    {
      schema: {
        operationId: 'listTicketSatisfaction',
        tags: TAGS,
        summary: 'List the CSAT ratings of a ticket',
        params: TicketParams,
        response: { 200: SatisfactionList },
      },
      config: { permission: 'tickets:read' },
    },
    async (request) => {
      const rows = await tickets.satisfaction.listForTicket(authOf(request), request.params.id);
      return { satisfaction: rows.map(presentSatisfaction) };
    },
  );

  app.get(
    '/support/satisfaction/summary',
    {
      schema: {
        operationId: 'getSatisfactionSummary',
        tags: TAGS,
        summary: 'CSAT summary per tenant and per agent (platform admins)',
        querystring: SummaryQuery,
        response: { 200: SummaryView },
      },
      config: { permission: 'tenants:manage' },
    },
    async (request) => tickets.satisfaction.summary(authOf(request), request.query),
  );

  app.get(
    '/support/agents',
    {
      schema: {
        operationId: 'listAgents',
        tags: TAGS,
        summary: 'List staff users with their round-robin availability (staff)',
        response: { 200: AgentList },
      },
      config: { permission: 'tickets:read' },
    },
    async (request) => {
      const { agents, roundRobin } = await tickets.agents.list(authOf(request));
      return { agents: agents.map(presentAgent), round_robin: roundRobin };
    },
  );

  app.put(
    '/support/agents/:id/availability',
    {
      schema: {
        operationId: 'setAgentAvailability',
        tags: TAGS,
        summary: 'Mark an agent available (or not) for round-robin assignment',
        params: AgentParams,
        body: AvailabilityBody,
        response: { 200: AgentView },
      },
      config: { permission: 'tickets:write' },
    },
    async (request) =>
      presentAgent(await tickets.agents.setAvailability(authOf(request), request.params.id, request.body.available)),
  );
}
