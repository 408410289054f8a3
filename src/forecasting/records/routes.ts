/**
 * The cost records API: `POST /v1/cost/records` stores a batch of daily costs (idempotent per day,
 * service, account and region), `GET /v1/cost/records` lists them a page at a time with amounts as
 * exact decimal strings. Tenant credentials only: staff hold no cost permission.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { invalidField } from '../../errors/app-error.ts';
import { listEnvelope } from '../../http/pagination.ts';
import { authOf } from '../../identity/authenticate.ts';
import type { AppContext } from '../../runtime/context.ts';
import { formatMicros } from '../money.ts';
import { tenantIdOf } from '../tenant.ts';
import { ingestCostRecords } from './ingest.ts';
import { listCostRecords, type CostRecordRow } from './repository.ts';
import {
  COST_TAGS as TAGS,
  CostRecordsBody,
  CostRecordsPage,
  CostRecordsQuery,
  CostRecordsWritten,
} from './schemas.ts';

/** A full batch is about 2 MB of JSON; the general body limit stays for every other route. */
const BATCH_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

function presentRecord(row: CostRecordRow) {
  return {
    date: row.date,
    service: row.service,
    account_id: row.account_id,
    region: row.region,
    tags: JSON.parse(row.tags) as Record<string, string>,
    amount: formatMicros(Number(row.amount_micros)),
    currency: row.currency,
    source: row.source,
    updated_at: row.updated_at,
  };
}

/** Registers the records routes under the caller's prefix (`/v1`). */
export function costRecordRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  const deps = { db: ctx.database.db, clock: ctx.clock, wakeWorkers: () => ctx.wakeWorkers() };
  return async (app) => {
    app.post(
      '/cost/records',
      {
        bodyLimit: Math.max(ctx.config.bodyLimitBytes, BATCH_BODY_LIMIT_BYTES),
        schema: {
          tags: TAGS,
          operationId: 'writeCostRecords',
          summary: 'Store daily cost records; a day already stored for the same key is replaced',
          body: CostRecordsBody,
          response: { 200: CostRecordsWritten },
        },
        config: { permission: 'cost:write' },
      },
      async (request) => {
        const result = await ingestCostRecords(deps, tenantIdOf(authOf(request)), request.body.records);
        return {
          written: result.written,
          days: result.days,
          services: result.services,
          currency: result.currency,
          data_version: result.dataVersion,
        };
      },
    );

    app.get(
      '/cost/records',
      {
        schema: {
          tags: TAGS,
          operationId: 'listCostRecords',
          summary: 'Stored cost records by date, service, account and region',
          querystring: CostRecordsQuery,
          response: { 200: CostRecordsPage },
        },
        config: { permission: 'cost:read' },
      },
      async (request) => {
        const { limit, cursor, ...filter } = request.query;
        if (filter.from && filter.to && filter.to < filter.from) throw invalidField('to', 'must not be before from');
        const page = await listCostRecords(
          ctx.database.db,
          { kind: 'tenant', customerId: tenantIdOf(authOf(request)) },
          filter,
          { limit, cursor },
        );
        return listEnvelope('records', page, presentRecord);
      },
    );
  };
}
