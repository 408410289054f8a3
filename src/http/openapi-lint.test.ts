import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { request } from '../testing/http.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REDOCLY = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
// Generous: the lint takes a few seconds, more on a loaded machine.
const LINT_TIMEOUT_MS = 120_000;

interface LintProblem {
  ruleId: string;
  severity: string;
  message: string;
  location?: Array<{ pointer?: string }>;
}

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: LintProblem[];
}

type Operation = {
  operationId?: string;
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
};
type OpenApiDocument = {
  info: { license?: unknown };
  servers?: Array<{ url: string }>;
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, Record<string, Operation>>;
};

/** Runs the Redocly CLI on a document with the repository's `redocly.yaml`, offline. */
function lint(document: unknown, dir: string, name: string): Promise<LintReport> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(document));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [REDOCLY, 'lint', file, '--format=json', '--max-problems=10000', `--config=${join(ROOT, 'redocly.yaml')}`],
      {
        cwd: dir,
        timeout: LINT_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          ...process.env,
          REDOCLY_TELEMETRY: 'off',
          REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
          REDOCLY_SUPPRESS_NOTIFICATIONS: 'true',
        },
      },
      (error, stdout, stderr) => {
        // Exit status 1 only means problems were found; the JSON report says which.
        try {
          resolve(JSON.parse(stdout) as LintReport);
        } catch {
          reject(new Error(`redocly lint gave no report (${error?.message ?? 'no error'}):\n${stderr}`));
        }
      },
    );
  });
}

function describeProblems(report: LintReport): string {
  return report.problems
    .map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location?.map((l) => l.pointer).join(', ')}`)
    .join('\n');
}

// The document does not depend on the database, so one dialect is enough.
describe('the OpenAPI document', () => {
  let server: TestServer;
  let document: OpenApiDocument;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'securebase-openapi-'));
    server = await startTestServer('sqlite');
    const response = await request<OpenApiDocument>(server.baseUrl, 'GET', '/v1/openapi.json');
    assert.equal(response.status, 200);
    document = response.body;
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'passes redocly lint with the recommended rules: no errors, no warnings',
    { timeout: LINT_TIMEOUT_MS },
    async () => {
      const report = await lint(document, dir, 'openapi');
      assert.deepEqual(
        { errors: report.totals.errors, warnings: report.totals.warnings },
        { errors: 0, warnings: 0 },
        `redocly lint found:\n${describeProblems(report)}`,
      );
    },
  );

  it('is linted for real: a document without licence and operationId fails', { timeout: LINT_TIMEOUT_MS }, async () => {
    const broken = structuredClone(document);
    delete broken.info.license;
    const health = broken.paths['/healthz']?.get;
    assert.ok(health);
    delete health.operationId;
    const report = await lint(broken, dir, 'broken');
    const rules = new Set(report.problems.map((p) => p.ruleId));
    assert.ok(rules.has('info-license') && rules.has('operation-operationId'), describeProblems(report));
  });

  it('adds the problem responses each route can give, unless the route declares its own', () => {
    const statuses = (path: string, method: string) =>
      Object.keys(document.paths[path]?.[method]?.responses ?? {}).filter((status) => status.startsWith('4'));
    // Public, no parameters, not rate limited: only the NUL guard can refuse it.
    assert.deepEqual(statuses('/healthz', 'get'), ['400']);
    assert.deepEqual(document.paths['/healthz']?.get?.security, []);
    assert.deepEqual(statuses('/v1/webhooks/{id}', 'delete'), ['400', '401', '403', '404', '429']);
    assert.deepEqual(statuses('/v1/webhooks', 'post'), ['400', '401', '403', '409', '413', '415', '422', '429']);
    const problem = document.paths['/v1/webhooks/{id}']?.delete?.responses['404'];
    assert.equal(problem?.content?.['application/problem+json']?.schema?.$ref, '#/components/schemas/Problem');
    assert.equal(document.paths['/healthz']?.get?.operationId, 'getHealth', 'a declared operationId is kept');
    assert.equal(document.paths['/v1/webhooks/{id}']?.delete?.operationId, 'deleteWebhooksById');
  });

  it('lists and describes every tag the operations use', () => {
    const used = new Set(
      Object.values(document.paths).flatMap((operations) =>
        Object.values(operations).flatMap((operation) => (operation as { tags?: string[] }).tags ?? []),
      ),
    );
    const described = new Set((document.tags ?? []).filter((tag) => tag.description).map((tag) => tag.name));
    const missing = [...used].filter((tag) => !described.has(tag));
    assert.deepEqual(missing, [], 'describe these tags in TAG_DESCRIPTIONS (src/http/openapi.ts)');
  });

  it('names the servers: relative to where it is served when PUBLIC_URL is unset', async () => {
    assert.deepEqual(
      document.servers?.map((s) => s.url),
      ['/'],
    );
    const configured = await startTestServer('sqlite', { env: { PUBLIC_URL: 'https://api.securebase.test/' } });
    try {
      const response = await request<OpenApiDocument>(configured.baseUrl, 'GET', '/v1/openapi.json');
      assert.deepEqual(
        response.body.servers?.map((s) => s.url),
        ['https://api.securebase.test'],
      );
      assert.ok(response.body.paths['/v1/webhooks'], 'paths are not shortened by the server URL');
    } finally {
      await configured.close();
    }
  });
});
