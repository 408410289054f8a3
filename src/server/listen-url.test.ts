import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { runMigrate } from '../cli/commands.ts';
import { loadConfig } from '../config/config.ts';
import { startTestServer } from '../testing/server.ts';
import type { TestServer } from '../testing/server.ts';
import { waitFor } from '../testing/wait.ts';
import { createWorker } from './worker.ts';

const databaseUrl = process.env.TEST_DATABASE_URL;

/** The test database under another application_name, so its sessions are told apart in pg_stat_activity. */
function namedUrl(url: string, applicationName: string): string {
  const named = new URL(url);
  named.searchParams.set('application_name', applicationName);
  return named.toString();
}

describe('DATABASE_LISTEN_URL (postgres)', { skip: !databaseUrl }, () => {
  const applicationName = `sb_listen_${randomBytes(4).toString('hex')}`;
  let server: TestServer;
  let observer: pg.Client;
  before(async () => {
    server = await startTestServer('postgres', {
      env: { DATABASE_LISTEN_URL: namedUrl(databaseUrl as string, applicationName) },
    });
    observer = new pg.Client({ connectionString: databaseUrl });
    await observer.connect();
  });
  after(async () => {
    await observer.end();
    await server.close();
  });

  const listeningSessions = async (): Promise<number> => {
    const { rows } = await observer.query<{ count: string }>(
      `select count(*) from pg_stat_activity where application_name = $1 and query ilike 'listen %'`,
      [applicationName],
    );
    return Number(rows[0]?.count);
  };

  it('carries the live feed and the job wake-ups, while queries stay on DATABASE_URL', async () => {
    const unsubscribe = server.ctx.liveFeed.subscribe('listen-url-test', () => {});
    const runner = createWorker(server.ctx);
    await runner.start();
    try {
      await waitFor(async () => (await listeningSessions()) === 2, 10_000, 'two LISTEN sessions on the listen URL');
      const { rows } = await observer.query<{ count: string }>(
        `select count(*) from pg_stat_activity where application_name = $1 and query not ilike 'listen %'`,
        [applicationName],
      );
      assert.equal(Number(rows[0]?.count), 0);
    } finally {
      await runner.stop();
      unsubscribe();
    }
  });

  it('is where `securebase migrate` connects', async () => {
    // DATABASE_URL names a port nobody serves: the migration succeeds only over the listen URL.
    const config = loadConfig({
      ...server.database.env,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test',
      DATABASE_LISTEN_URL: databaseUrl,
    });
    await runMigrate(config);
  });
});
