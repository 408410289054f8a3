import type { SwaggerOptions } from '@fastify/swagger';
import type { RouteOptions } from 'fastify';
import { Type } from 'typebox';
import type { Config } from '../config/config.ts';

/**
 * The OpenAPI document's conventions, applied to every route in one place so that a new route is
 * documented like the others without repeating them: problem responses for the 4xx answers the
 * HTTP infrastructure can give on that route, an operationId, `security: []` on public routes,
 * servers, licence and tag descriptions. A route's own declarations always win.
 */

/** RFC 9457 problem details as `sendProblem` writes them (api.md "Errors"). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({
      description: 'URI naming the problem; its last segment is the stable error code',
      examples: ['https://docs.securebase.io/problems/validation_failed'],
    }),
    title: Type.String({ description: 'Short summary of the HTTP status', examples: ['Bad Request'] }),
    status: Type.Integer({ description: 'The HTTP status code', examples: [400] }),
    detail: Type.String({ description: 'What went wrong, for a person', examples: ['name is required'] }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'The field at fault, dotted for nested ones', examples: ['name'] }),
          message: Type.String({ description: 'What is wrong with it', examples: ['is required'] }),
        }),
        { description: 'One entry per invalid field' },
      ),
    ),
    request_id: Type.String({ description: 'The request id, also in the logs and `x-request-id`' }),
  },
  { description: 'RFC 9457 problem details; some errors add fields of their own', additionalProperties: true },
);

const PROBLEM_REF = '#/components/schemas/Problem';

/** Descriptions of the statuses the infrastructure answers, as the document's response descriptions. */
const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is invalid: a malformed body, a field or parameter failing validation, or NUL in any input',
  401: 'No valid credential',
  403: 'The credential lacks the permission, or a cookie-authenticated write lacks the CSRF header',
  404: 'No such resource (or it belongs to another tenant)',
  409: 'A request with the same Idempotency-Key is still being processed',
  413: 'The request body is larger than the limit',
  415: 'The body is not application/json',
  422: 'The Idempotency-Key was used before with a different body',
  429: 'Rate limit exceeded; retry after `Retry-After` seconds',
};

/**
 * Describes every tag a route may use. A tag used by a route but missing here is left out of the
 * document's tag list, which `src/http/openapi-lint.test.ts` reports.
 */
export const TAG_DESCRIPTIONS: Record<string, string> = {
  operations: 'Health, readiness and metrics for operators',
  auth: 'Sign-in, sessions and the current credential',
  'api-keys': 'API keys of the tenant',
  users: 'Users of the tenant: invitations, roles and setup links',
  admin: 'Platform administration: tenants',
  tickets: 'The support desk: tickets, comments and their history',
  webhooks: 'Webhook endpoints, event publication and deliveries',
  notifications: 'The notification inbox, preferences and live stream',
  costs: 'Cost data, imports, forecasts, anomalies, budgets and exports',
};

/** Route configuration as the access conventions declare it (`src/identity/route-access.test.ts`). */
interface RouteAccess {
  public?: boolean;
  permission?: string;
}

/** Whether the global rate limit applies: every authenticated route, and sign-in (against guessing). */
export function isRateLimited(config: RouteAccess | undefined, url: string | undefined): boolean {
  return config?.public !== true || url === '/v1/auth/login';
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type ResponseSchemas = Record<string, unknown>;

interface RouteSchema {
  hide?: boolean;
  operationId?: string;
  security?: unknown[];
  body?: unknown;
  querystring?: unknown;
  params?: unknown;
  headers?: unknown;
  response?: ResponseSchemas;
  [key: string]: unknown;
}

function problemResponse(status: number): unknown {
  const response: Record<string, unknown> = {
    description: PROBLEM_DESCRIPTIONS[status],
    content: { 'application/problem+json': { schema: { $ref: PROBLEM_REF } } },
  };
  if (status === 429) {
    response.headers = { 'retry-after': { type: 'integer', description: 'Seconds until the limit resets' } };
  }
  return response;
}

/** The 4xx statuses the HTTP infrastructure can answer on a route, from what the route declares. */
export function infrastructureProblems(route: Pick<RouteOptions, 'method' | 'url' | 'config'>, schema: RouteSchema) {
  const methods = [route.method].flat().map((method) => method.toUpperCase());
  const access = route.config as RouteAccess | undefined;
  const isPublic = access?.public === true;
  const authenticated = !isPublic || (schema.security?.length ?? 0) > 0;
  const writes = methods.some((method) => !SAFE_METHODS.has(method));
  const statuses = new Set<number>([400]); // the NUL guard checks every route's query and headers
  if (authenticated) statuses.add(401);
  if (!isPublic && (writes || (access?.permission !== undefined && access.permission !== 'authenticated'))) {
    statuses.add(403);
  }
  if (route.url.includes(':')) statuses.add(404);
  if (schema.body !== undefined) {
    statuses.add(413);
    statuses.add(415);
  }
  if (!isPublic && methods.includes('POST')) {
    statuses.add(409);
    statuses.add(422);
  }
  if (isRateLimited(access, route.url)) statuses.add(429);
  return [...statuses].sort((a, b) => a - b);
}

/** A stable operationId from the method and path: `GET /v1/webhooks/:id/stats` → `getWebhooksByIdStats`. */
export function operationIdOf(method: string, url: string): string {
  const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
  const words = url
    .split('/')
    .filter((segment) => segment !== '' && !/^v\d+$/.test(segment))
    .map((segment) =>
      segment.startsWith(':')
        ? `By${segment.slice(1).split(/[-_]/).map(capitalise).join('')}`
        : segment.split(/[-_.]/).map(capitalise).join(''),
    );
  return method.toLowerCase() + words.join('');
}

/** Adds the conventions to one route's schema for the document (the route's validation is untouched). */
function documentRoute(route: RouteOptions, schema: RouteSchema): RouteSchema {
  const methods = [route.method].flat();
  const response: ResponseSchemas = { ...schema.response };
  for (const status of infrastructureProblems(route, schema)) {
    const declared = Object.keys(response).some((key) => key === String(status) || key.toUpperCase() === '4XX');
    if (!declared) response[status] = problemResponse(status);
  }
  const documented: RouteSchema = { ...schema, response };
  if (!documented.operationId && methods.length === 1) {
    documented.operationId = operationIdOf(methods[0] as string, route.url);
  }
  if ((route.config as RouteAccess | undefined)?.public === true && documented.security === undefined) {
    documented.security = [];
  }
  return documented;
}

/** The document's servers: the public URL when configured, else relative to wherever it is served. */
function serversOf(publicUrl: string | undefined): Array<{ url: string; description: string }> {
  if (!publicUrl) return [{ url: '/', description: 'This server' }];
  return [{ url: publicUrl.replace(/\/+$/, ''), description: 'The public URL of this deployment' }];
}

/** Options of `@fastify/swagger` for the SecureBase API document. */
export function openApiOptions(config: Pick<Config, 'publicUrl'>): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'SecureBase platform services API',
        version: '1.0.0',
        description: 'Support desk, webhooks, cost forecasting and notifications. Errors are RFC 9457 problem details.',
        license: { name: 'Proprietary', url: 'https://securebase.io/terms' },
        contact: { name: 'SecureBase support', url: 'https://docs.securebase.io' },
      },
      servers: serversOf(config.publicUrl),
      components: {
        schemas: { Problem: ProblemSchema as unknown as Record<string, unknown> },
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API key (`sb_live_…`) or session token' },
          metricsToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'The METRICS_TOKEN of the server (for `/metrics` only)',
          },
        },
      },
      security: [{ bearer: [] }],
    },
    // Paths are the routes' own; a PUBLIC_URL with a path is where a proxy mounts them.
    stripBasePath: false,
    transform: ({ schema, url, route }) => {
      const routeSchema = (schema ?? {}) as RouteSchema;
      if (routeSchema.hide) return { schema, url };
      return { schema: documentRoute(route, routeSchema) as typeof schema, url };
    },
    transformObject: (documentObject) => {
      const document = (documentObject as { openapiObject: Record<string, unknown> }).openapiObject;
      const paths = (document.paths ?? {}) as Record<string, Record<string, { tags?: string[] }>>;
      const used = new Set(
        Object.values(paths).flatMap((operations) => Object.values(operations).flatMap((op) => op.tags ?? [])),
      );
      const tags = [...used]
        .filter((name) => TAG_DESCRIPTIONS[name] !== undefined)
        .sort()
        .map((name) => ({ name, description: TAG_DESCRIPTIONS[name] }));
      return { ...document, tags };
    },
  };
}
