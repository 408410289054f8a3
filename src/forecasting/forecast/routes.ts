/**
 * The forecast API: `GET /v1/cost/forecast` (the seed's shape with real content; see compute.ts for
 * the rules) and `GET /v1/cost/forecast/export` in CSV, JSON or PDF from the same service and
 * cache. Tenant credentials only; a tenant without enough history gets a 422 naming what is missing.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authOf } from '../../identity/authenticate.ts';
import { identitySystemRepository } from '../../identity/repository.ts';
import type { AppContext } from '../../runtime/context.ts';
import { COST_TAGS as TAGS } from '../records/schemas.ts';
import { tenantIdOf } from '../tenant.ts';
import { forecastCsv } from './csv.ts';
import { forecastParams } from './params.ts';
import { renderForecastPdf } from './pdf.ts';
import { ForecastExportQuery, ForecastQuery, ForecastView } from './schemas.ts';
import { createForecastService } from './service.ts';

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  pdf: 'application/pdf',
};

/** Registers the forecast routes under the caller's prefix (`/v1`). */
export function costForecastRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  const service = createForecastService({ db: ctx.database.db, clock: ctx.clock });
  const customers = identitySystemRepository(ctx.database.db);

  return async (app) => {
    app.get(
      '/cost/forecast',
      {
        schema: {
          tags: TAGS,
          operationId: 'getCostForecast',
          summary: 'Monthly cost forecast with prediction intervals, nowcast of this month and backtest accuracy',
          querystring: ForecastQuery,
          response: { 200: ForecastView },
        },
        config: { permission: 'cost:read' },
      },
      async (request) => service.forecast(tenantIdOf(authOf(request)), forecastParams(request.query)),
    );

    app.get(
      '/cost/forecast/export',
      {
        schema: {
          tags: TAGS,
          operationId: 'exportCostForecast',
          summary: 'Download the forecast as CSV, JSON or a PDF report (as a file attachment)',
          querystring: ForecastExportQuery,
          response: {
            200: {
              description: 'The forecast file',
              content: {
                'text/csv': {
                  schema: { type: 'string', description: 'Month,Forecast,Lower Bound,Upper Bound,MoM Change' },
                },
                'application/json': { schema: { type: 'string', description: 'The forecast response as JSON' } },
                'application/pdf': {
                  schema: { type: 'string', format: 'binary', description: 'Report with chart and tables' },
                },
              },
            },
          },
        },
        config: { permission: 'cost:read' },
      },
      async (request, reply) => {
        const customerId = tenantIdOf(authOf(request));
        const { format = 'csv', ...query } = request.query;
        const report = await service.forecast(customerId, forecastParams(query));
        const month = report.forecast[0]?.month ?? report.as_of.slice(0, 7);
        let body: Buffer;
        if (format === 'csv') body = Buffer.from(forecastCsv(report), 'utf8');
        else if (format === 'json') body = Buffer.from(JSON.stringify(report), 'utf8');
        else {
          const customer = await customers.findCustomer(customerId);
          body = await renderForecastPdf(report, {
            tenantName: customer?.name ?? customerId,
            date: ctx.clock().toISOString().slice(0, 10),
          });
        }
        return (
          reply
            .header('content-type', CONTENT_TYPES[format])
            .header('content-disposition', `attachment; filename="cost-forecast-${month}.${format}"`)
            .header('cache-control', 'private, no-store')
            // A buffer is sent as is: the per-format bodies are already encoded.
            .send(body as never)
        );
      },
    );
  };
}
