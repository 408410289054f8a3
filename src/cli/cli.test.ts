import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../config/clock.ts';
import { createIdentityService } from '../identity/service.ts';
import { createTestDatabase, TEST_DIALECTS } from '../testing/database.ts';
import type { TestDatabase } from '../testing/database.ts';
import { CLI_BIN, runCli } from '../testing/cli.ts';
import { progressLine } from './demo.ts';
import { createMemoryLiveFeed } from '../realtime/live-feed.ts';

const BIN = CLI_BIN;

function run(args: string[], env: Record<string, string | undefined> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Like run, without blocking the event loop (for tests that serve something to the child). */
const runAsync = runCli;

describe('securebase CLI', () => {
  it('prints help for every command', () => {
    for (const args of [
      ['--help'],
      ['serve', '--help'],
      ['admin', '--help'],
      ['admin', 'create-tenant', '--help'],
      ['worker', '--help'],
      ['migrate', '--help'],
    ]) {
      const result = run(args);
      assert.equal(result.code, 0, args.join(' '));
      assert.match(result.stdout, /Usage: securebase/);
    }
    assert.match(run(['serve', '--help']).stdout, /SECUREBASE_DATA_DIR/);
  });

  it('stops on a bad configuration value with one line naming the variable', () => {
    const result = run(['migrate'], { PORT: 'eighty' });
    assert.equal(result.code, 2);
    assert.equal(result.stderr.trim().split('\n').length, 1);
    assert.match(result.stderr, /^securebase: invalid configuration: PORT: /);
  });

  it('lists every bad variable at once, exit code 2, never a secret value', () => {
    const result = run(['worker'], {
      PORT: 'eighty',
      DATABASE_URL: 'mysql://app:hunter2@db/app',
      METRICS_TOKEN: 'a-metrics-token-0123',
      METRICS_TOKEN_FILE: '/run/secrets/metrics',
    });
    assert.equal(result.code, 2);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines[0], 'securebase: invalid configuration (3 problems):');
    assert.deepEqual(
      lines.slice(1).map((line) => line.trim().split(':')[0]),
      ['METRICS_TOKEN_FILE', 'PORT', 'DATABASE_URL'],
    );
    assert.doesNotMatch(result.stderr, /hunter2|a-metrics-token/);
  });

  it('refuses to serve on a port in use before it writes anything', async (t) => {
    const occupant = createServer();
    await new Promise<void>((resolve) => occupant.listen({ host: '127.0.0.1', port: 0 }, resolve));
    t.after(() => occupant.close());
    const port = (occupant.address() as AddressInfo).port;
    const parent = mkdtempSync(join(tmpdir(), 'securebase-cli-'));
    t.after(() => rmSync(parent, { recursive: true, force: true }));
    const dataDir = join(parent, 'data');

    const result = await runAsync(['serve'], { HOST: '127.0.0.1', PORT: String(port), SECUREBASE_DATA_DIR: dataDir });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr.trim(),
      `securebase: 127.0.0.1:${port} is already in use; stop the process using it or set PORT`,
    );
    assert.doesNotMatch(result.stdout, /setup token/);
    assert.equal(existsSync(dataDir), false, 'nothing is written before the port check');
  });

  it('writes demo progress as plain lines when the output is not a terminal', () => {
    const parent = mkdtempSync(join(tmpdir(), 'securebase-cli-'));
    try {
      const result = run(['demo'], { SECUREBASE_DATA_DIR: parent });
      assert.equal(result.code, 0, result.stderr);
      assert.doesNotMatch(result.stdout, /\r/);
      assert.match(
        result.stdout,
        /^demo data: 1\/9 tickets\n(.*\n)*demo data: 9\/9 tickets\ndemo data: 1\/26 months of costs\n(.*\n)*demo data: 26\/26 months of costs\nDemo data is in place\.\n$/m,
      );
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('rewrites demo progress in place on a terminal', () => {
    const written: string[] = [];
    const progress = progressLine({ isTTY: true, write: (text: string) => written.push(text) });
    progress.update('demo data: 1/2 tickets');
    progress.update('demo data: 2/2 tickets');
    progress.end();
    assert.equal(written.join(''), '\rdemo data: 1/2 tickets\rdemo data: 2/2 tickets\n');
  });

  it('rejects an unknown tier', () => {
    const result = run(['admin', 'create-tenant', '--name', 'X', '--tier', 'gold', '--admin-email', 'x@example.com']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /tier/);
  });

  it('rejects an owner email the API would reject, before touching the database', () => {
    const result = run(['admin', 'create-tenant', '--name', 'X', '--tier', 'standard', '--admin-email', 'notanemail']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /--admin-email.*must be an email address/);
  });
});

for (const dialect of TEST_DIALECTS) {
  describe(`securebase admin on ${dialect}`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(dialect);
    });
    after(async () => database.destroy());

    it('creates a tenant and prints ids and a working API key as JSON', async () => {
      const result = run(
        [
          'admin',
          'create-tenant',
          '--name',
          'Acme Bank',
          '--tier',
          'fintech',
          '--admin-email',
          'ops@acme.example',
          '--json',
        ],
        database.env,
      );
      assert.equal(result.code, 0, result.stderr);
      const created = JSON.parse(result.stdout) as {
        customer_id: string;
        user_id: string;
        key: string;
        api_key: string;
        setup_token: string;
      };
      assert.deepEqual(Object.keys(created).sort(), ['api_key', 'customer_id', 'key', 'setup_token', 'user_id']);
      assert.match(created.key, /^sb_live_/);
      assert.equal(created.api_key, created.key);
      assert.ok(created.setup_token.length > 20);
      const customer = await database.db
        .selectFrom('customers')
        .selectAll()
        .where('id', '=', created.customer_id)
        .executeTakeFirstOrThrow();
      assert.equal(customer.tier, 'fintech');

      const key = run(
        [
          'admin',
          'create-api-key',
          '--customer',
          created.customer_id,
          '--name',
          'ci',
          '--role',
          'viewer',
          '--scopes',
          'tickets:read',
          '--json',
        ],
        database.env,
      );
      assert.equal(key.code, 0, key.stderr);
      assert.match((JSON.parse(key.stdout) as { key: string }).key, /^sb_live_/);

      const staff = run(
        ['admin', 'create-staff', '--email', 'agent@securebase.example', '--role', 'agent', '--json'],
        database.env,
      );
      assert.equal(staff.code, 0, staff.stderr);
      assert.ok((JSON.parse(staff.stdout) as { setup_token: string }).setup_token.length > 20);

      const reset = run(['admin', 'reset-password', '--email', 'OPS@acme.example', '--json'], database.env);
      assert.equal(reset.code, 0, reset.stderr);
      const reissued = JSON.parse(reset.stdout) as { user_id: string; setup_token: string };
      assert.equal(reissued.user_id, created.user_id);
      const identity = createIdentityService({
        db: database.db,
        clock: systemClock,
        sessionTtlHours: 1,
        liveFeed: createMemoryLiveFeed(),
        passwordHashing: { N: 2 ** 10, r: 8, p: 1 },
      });
      await assert.rejects(
        identity.completeSetup({ token: created.setup_token, password: 'the owner password', ip: null }),
        /invalid, used or expired/,
      );
      assert.equal(
        (await identity.completeSetup({ token: reissued.setup_token, password: 'the owner password', ip: null })).id,
        created.user_id,
      );
      const unknown = run(['admin', 'reset-password', '--email', 'nobody@acme.example'], database.env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /User not found/);
    });
  });
}
