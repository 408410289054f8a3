/**
 * The anomaly API: `GET /v1/cost/anomalies` (filters, cursor, newest day first) and
 * `GET /v1/cost/anomalies/{id}`. Anomalies are written by the evaluation jobs only.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listEnvelope } from '../../http/pagination.ts';
import { authOf } from '../../identity/authenticate.ts';
import type { AppContext } from '../../runtime/context.ts';
import type { AnomalyId } from '../ids.ts';
import { presentAnomaly } from './presenter.ts';
import { createAnomalyService } from './service.ts';
import { AnomalyListQuery, AnomalyPage, AnomalyParams, AnomalyView } from './schemas.ts';

const TAGS = ['costs'];

export function anomalyRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  const service = createAnomalyService(ctx.database.db);
  return async (app) => {
    app.get(
      '/cost/anomalies',
      {
        schema: {
          tags: TAGS,
          summary: 'List detected cost anomalies, newest day first',
          querystring: AnomalyListQuery,
          response: { 200: AnomalyPage },
        },
        config: { permission: 'cost:read' },
      },
      async (request) => {
        const { limit, cursor, ...filter } = request.query;
        return listEnvelope(
          'anomalies',
          await service.list(authOf(request), filter, { limit, cursor }),
          presentAnomaly,
        );
      },
    );

    app.get(
      '/cost/anomalies/:id',
      {
        schema: {
          tags: TAGS,
          summary: 'Get one cost anomaly',
          params: AnomalyParams,
          response: { 200: AnomalyView },
        },
        config: { permission: 'cost:read' },
      },
      async (request) => presentAnomaly(await service.get(authOf(request), request.params.id as AnomalyId)),
    );
  };
}
