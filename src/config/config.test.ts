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
    [{ WEBHOOK_ALLOW_PRIVATE_CIDRS: '999.0.0.0/8' }, 'WEBHOOK_ALLOW_PRIVATE_CIDRS'],
    [{ WEBHOOK_ALLOW_PRIVATE_CIDRS: '10.0.0.0/33' }, 'WEBHOOK_ALLOW_PRIVATE_CIDRS'],
    [{ WEBHOOK_ALLOW_PRIVATE_CIDRS: '::1/129' }, 'WEBHOOK_ALLOW_PRIVATE_CIDRS'],
    [{ WEBHOOK_TIMEOUT_MS: '60000' }, 'WEBHOOK_TIMEOUT_MS'],
    [{ RATE_LIMIT_PER_HOUR: 'gold=5' }, 'RATE_LIMIT_PER_HOUR'],
    [{ CORS_ORIGINS: '*' }, 'CORS_ORIGINS'],
    [{ SMTP_URL: 'http://mail.example.com' }, 'SMTP_URL'],
    [{ SMTP_URL: 'not a url' }, 'SMTP_URL'],
    [{ MAIL_FROM: 'nobody' }, 'MAIL_FROM'],
    [{ MAIL_FROM: 'Name <a@b.c> extra' }, 'MAIL_FROM'],
    [{ NOTIFICATION_EMAIL_RATE_LIMIT: '0' }, 'NOTIFICATION_EMAIL_RATE_LIMIT'],
    [{ SECUREBASE_DB_SCHEMA: 'drop table;' }, 'SECUREBASE_DB_SCHEMA'],
    [{ SECUREBASE_MASTER_KEYS_PREVIOUS: `${'ab'.repeat(32)},not-a-key` }, 'SECUREBASE_MASTER_KEYS_PREVIOUS'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '11' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: '10.0.0.0/33' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY: 'loadbalancer' }, 'TRUST_PROXY'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
    [{ METRICS_TOKEN: 'has a space in the middle' }, 'METRICS_TOKEN'],
  ];
  for (const [env, variable] of bad) {
    it(`rejects ${JSON.stringify(env)} naming ${variable}`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) =>
          error instanceof ConfigError && error.variable === variable && error.message.startsWith(`${variable}:`),
      );
    });
  }

  it('reads TRUST_PROXY as false, a hop count or proxy addresses and CIDRs', () => {
    assert.equal(loadConfig({}).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: '0' }).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,fd00::/8' }).trustProxy, [
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
    ]);
  });

  it('accepts valid overrides', () => {
    const config = loadConfig({
      PORT: '9090',
      SECUREBASE_MASTER_KEY: 'ab'.repeat(32),
      WEBHOOK_ALLOW_PRIVATE_CIDRS: '127.0.0.0/8, ::1/128',
      RATE_LIMIT_PER_HOUR: 'standard=10',
    });
    assert.equal(config.port, 9090);
    assert.deepEqual(config.webhooks.allowPrivateCidrs, ['127.0.0.0/8', '::1/128']);
    assert.equal(config.rateLimitPerHour.standard, 10);
    assert.equal(config.rateLimitPerHour.government, 20000);
  });

  it('reads previous master keys and names a bad one by position, never by value', () => {
    const keys = ['ab'.repeat(32), Buffer.alloc(32, 1).toString('base64')];
    assert.deepEqual(
      loadConfig({ SECUREBASE_MASTER_KEYS_PREVIOUS: ` ${keys[0]}, ${keys[1]} ` }).previousMasterKeys,
      keys,
    );
    assert.deepEqual(loadConfig({}).previousMasterKeys, []);
    const leaked = 'cd'.repeat(31);
    assert.throws(
      () => loadConfig({ SECUREBASE_MASTER_KEYS_PREVIOUS: `${keys[0]},${leaked}` }),
      (error: unknown) =>
        error instanceof ConfigError && error.message.includes('entry 2') && !error.message.includes(leaked),
    );
  });
});

describe('README', () => {
  it('documents every configuration variable', async () => {
    const { readFile } = await import('node:fs/promises');
    const { CONFIG_VARIABLES } = await import('./config.ts');
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    for (const variable of CONFIG_VARIABLES)
      assert.ok(readme.includes(`| \`${variable.name}\` |`), `${variable.name} is missing from the README`);
  });
});
