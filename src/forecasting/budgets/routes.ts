/**
 * The budget API of forecasting.md: `POST/GET/PATCH/DELETE /v1/cost/budgets[/{id}]`, plus the
 * seed's `POST /v1/cost/budget-alert` and `GET /v1/cost/budget-alerts`. Thin: schema → permission
 * → one service call → view.
 */
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listEnvelope } from '../../http/pagination.ts';
import { authOf } from '../../identity/authenticate.ts';
import type { AppContext } from '../../runtime/context.ts';
import type { BudgetId } from '../ids.ts';
import { presentBudget } from './presenter.ts';
import {
  BudgetAlertBody,
  BudgetAlertCreated,
  BudgetAlertPage,
  BudgetListQuery,
  BudgetPage,
  BudgetParams,
  BudgetView,
  CreateBudgetBody,
  UpdateBudgetBody,
} from './schemas.ts';
import { createBudgetService } from './service.ts';

const TAGS = ['costs'];
const budgetIdIn = (params: { id: string }): BudgetId => params.id as BudgetId;

export function budgetRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  const service = createBudgetService({ db: ctx.database.db, clock: ctx.clock });

  return async (app) => {
    app.post(
      '/cost/budgets',
      {
        schema: {
          tags: TAGS,
          summary: 'Create a budget: a monthly limit, alert thresholds, basis and optionally the services it covers',
          body: CreateBudgetBody,
          response: { 201: BudgetView },
        },
        config: { permission: 'budgets:manage' },
      },
      async (request, reply) =>
        reply.code(201).send(presentBudget(await service.create(authOf(request), request.body))),
    );

    app.get(
      '/cost/budgets',
      {
        schema: {
          tags: TAGS,
          summary: 'List budgets with their status this month, newest first',
          querystring: BudgetListQuery,
          response: { 200: BudgetPage },
        },
        config: { permission: 'cost:read' },
      },
      async (request) => listEnvelope('budgets', await service.list(authOf(request), request.query), presentBudget),
    );

    app.get(
      '/cost/budgets/:id',
      {
        schema: {
          tags: TAGS,
          summary: 'Get a budget with its status this month',
          params: BudgetParams,
          response: { 200: BudgetView },
        },
        config: { permission: 'cost:read' },
      },
      async (request) => presentBudget(await service.get(authOf(request), budgetIdIn(request.params))),
    );

    app.patch(
      '/cost/budgets/:id',
      {
        schema: {
          tags: TAGS,
          summary: 'Change a budget (only the fields sent); alerts already raised this month stay raised',
          params: BudgetParams,
          body: UpdateBudgetBody,
          response: { 200: BudgetView },
        },
        config: { permission: 'budgets:manage' },
      },
      async (request) => presentBudget(await service.update(authOf(request), budgetIdIn(request.params), request.body)),
    );

    app.delete(
      '/cost/budgets/:id',
      {
        schema: {
          tags: TAGS,
          summary: 'Delete a budget and its alert history',
          params: BudgetParams,
          response: { 204: Type.Null({ description: 'Deleted' }) },
        },
        config: { permission: 'budgets:manage' },
      },
      async (request, reply) => {
        await service.remove(authOf(request), budgetIdIn(request.params));
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/cost/budget-alert',
      {
        schema: {
          tags: TAGS,
          summary: 'The seed’s form: create a budget with one threshold (alert_threshold, default 0.8)',
          body: BudgetAlertBody,
          response: { 201: BudgetAlertCreated },
        },
        config: { permission: 'budgets:manage' },
      },
      async (request, reply) => {
        const threshold = request.body.alert_threshold ?? 0.8;
        const created = await service.create(authOf(request), {
          name: request.body.name ?? 'Monthly budget',
          monthly_limit: request.body.monthly_limit,
          thresholds: [threshold],
        });
        return reply.code(201).send({
          message: 'Budget alert configured successfully',
          monthly_limit: request.body.monthly_limit,
          alert_threshold: threshold,
          budget: presentBudget(created),
        });
      },
    );

    app.get(
      '/cost/budget-alerts',
      {
        schema: {
          tags: TAGS,
          summary: 'The seed’s form of GET /cost/budgets: the same list under the key `alerts`',
          querystring: BudgetListQuery,
          response: { 200: BudgetAlertPage },
        },
        config: { permission: 'cost:read' },
      },
      async (request) => listEnvelope('alerts', await service.list(authOf(request), request.query), presentBudget),
    );
  };
}
