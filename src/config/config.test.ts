import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8080);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.webhooks.attemptTimeoutMs, 15000);
    assert.ok(config.dataDir.endsWith('/data'));
  });

  const bad: Array<[Record<string, string>, string]> = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ SECUREBASE_MASTER_KEY: 'short' }, 'SECUREBASE_MASTER_KEY'],
    [{ WEBHOOK_ALLOW_HTTP: 'maybe' }, 'WEBHOOK_ALLOW_HTTP'],
    [{ WEBHOOK_ALLOW_PRIVATE_CIDRS: '127.0.0.1' }, 'WEBHOOK_ALLOW_PRIVATE_CIDRS'],
    [{ WEBHOOK_TIMEOUT_MS: '60000' }, 'WEBHOOK_TIMEOUT_MS'],
    [{ RATE_LIMIT_PER_HOUR: 'gold=5' }, 'RATE_LIMIT_PER_HOUR'],
    [{ CORS_ORIGINS: '*' }, 'CORS_ORIGINS'],
    [{ SECUREBASE_DB_SCHEMA: 'drop table;' }, 'SECUREBASE_DB_SCHEMA'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
    [{ METRICS_TOKEN: 'has a space in the middle' }, 'METRICS_TOKEN'],
  ];
  for (const [env, variable] of bad) {
    it(`rejects ${JSON.stringify(env)} naming ${variable}`, () => {
      assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && error.variable === variable && error.message.startsWith(`${variable}:`));
    });
  }

  it('accepts valid overrides', () => {
    const config = loadConfig({ PORT: '9090', SECUREBASE_MASTER_KEY: 'ab'.repeat(32), WEBHOOK_ALLOW_PRIVATE_CIDRS: '127.0.0.0/8, ::1/128', RATE_LIMIT_PER_HOUR: 'standard=10' });
    assert.equal(config.port, 9090);
    assert.deepEqual(config.webhooks.allowPrivateCidrs, ['127.0.0.0/8', '::1/128']);
    assert.equal(config.rateLimitPerHour.standard, 10);
    assert.equal(config.rateLimitPerHour.government, 20000);
  });
});

describe('README', () => {
  it('documents every configuration variable', async () => {
    const { readFile } = await import('node:fs/promises');
    const { CONFIG_VARIABLES } = await import('./config.ts');
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    for (const variable of CONFIG_VARIABLES) assert.ok(readme.includes(`| \`${variable.name}\` |`), `${variable.name} is missing from the README`);
  });
});
