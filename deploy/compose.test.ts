import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

/**
 * compose.yaml against the current Compose Specification's JSON schema (the copy the `dclint` package ships), then the
 * layout of each profile: which processes run, in which order, probed how, with which secrets.
 * deploy/process-layout.test.ts runs the PostgreSQL layout's processes for real.
 */

interface Service {
  image?: string;
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  secrets?: string[];
  volumes?: string[];
  tmpfs?: string[];
  read_only?: boolean;
  restart?: string;
  ports?: string[];
  stop_grace_period?: string;
  healthcheck?: {
    test?: string[];
    disable?: boolean;
    interval?: string;
    timeout?: string;
    start_period?: string;
    start_interval?: string;
  };
  depends_on?: Record<string, { condition: string }>;
}
interface Compose {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
}

const source = readFileSync(new URL('../compose.yaml', import.meta.url), 'utf8');
// Merge keys (<<) as Docker Compose reads them: the services share their settings through anchors.
const compose = parse(source, { merge: true }) as Compose;

/** Go durations, as Compose writes intervals and grace periods: 1m30s, 500ms. */
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
/** [ip:][host[-host]:]container[-container][/protocol] */
const PORTS = /^((\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\]):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/i;

/** The Compose Specification's current schema, as the `dclint` package ships it (its exports hide the file from require). */
function validator() {
  const file = new URL('schemas/compose.schema.json', import.meta.resolve('dclint/package.json'));
  const { $schema, ...schema } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  // Draft-07 at an address Ajv does not know (https, no '#'): its default class is draft-07.
  assert.equal($schema, 'https://json-schema.org/draft-07/schema');
  return new Ajv({ allErrors: true, allowUnionTypes: true }).compile(schema);
}

const inProfile = (profile: string) =>
  Object.entries(compose.services).filter(([, service]) => service.profiles?.includes(profile));
const commandOf = (service: Service) => (service.command ?? []).join(' ');
const appServices = () =>
  Object.entries(compose.services).filter(([, service]) => service.image === 'securebase:local');

describe('compose.yaml', () => {
  it('is valid under the Compose Specification schema', () => {
    const validate = validator();
    assert.ok(validate(compose), JSON.stringify(validate.errors, null, 2));
  });

  // The schema types these as mere strings; Compose rejects the file at `up` when one does not parse.
  it('writes its intervals and grace periods as Go durations, its ports as [host:]container', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const { interval, timeout, start_period, start_interval } = service.healthcheck ?? {};
      for (const duration of [service.stop_grace_period, interval, timeout, start_period, start_interval])
        if (duration !== undefined) assert.match(duration, DURATION, name);
      for (const port of service.ports ?? []) assert.match(port, PORTS, name);
    }
  });

  it('puts every service in a profile: sqlite or postgres', () => {
    for (const [name, service] of Object.entries(compose.services))
      assert.equal(service.profiles?.length, 1, `${name} is in one profile`);
  });

  it('runs one serve with workers on SQLite in the sqlite profile, its database in a volume', () => {
    const services = inProfile('sqlite');
    assert.equal(services.length, 1);
    const [, service] = services[0] as [string, Service];
    assert.equal(commandOf(service), 'serve');
    assert.ok(
      service.volumes?.some((volume) => /^[a-z-]+:\/data$/.test(volume)),
      '/data is a named volume',
    );
    assert.equal(service.environment?.DATABASE_URL_FILE, undefined, 'no PostgreSQL');
  });

  it('runs PostgreSQL, a one-shot migrate, two API and two worker processes in the postgres profile', () => {
    const commands = inProfile('postgres').map(([, service]) => commandOf(service) || service.image);
    assert.deepEqual(commands.sort(), [
      'migrate',
      'postgres:18-trixie',
      'serve --no-worker --skip-migrations',
      'serve --no-worker --skip-migrations',
      'worker --skip-migrations',
      'worker --skip-migrations',
    ]);
    const postgres = compose.services.postgres as Service;
    assert.ok(
      postgres.volumes?.some((volume) => volume.startsWith('postgres-data:')),
      'PostgreSQL keeps its data in a volume',
    );
    const migrate = compose.services.migrate as Service;
    assert.equal(migrate.restart, 'no', 'migrate runs once');
  });

  it('starts migrate once PostgreSQL is healthy, and the API and workers once migrate succeeded', () => {
    assert.deepEqual(compose.services.migrate?.depends_on, { postgres: { condition: 'service_healthy' } });
    for (const [name, service] of inProfile('postgres')) {
      if (!/^(serve|worker)/.test(commandOf(service))) continue;
      assert.deepEqual(
        service.depends_on,
        { postgres: { condition: 'service_healthy' }, migrate: { condition: 'service_completed_successfully' } },
        name,
      );
    }
  });

  it('probes every long-running service; a worker on its HEALTH_PORT', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service === compose.services.migrate) {
        assert.equal(service.healthcheck?.disable, true, 'the one-shot migrate is not probed');
        continue;
      }
      const test = service.healthcheck?.test ?? [];
      assert.equal(test[0], 'CMD', `${name} has an exec-form healthcheck`);
      if (service.image === 'securebase:local') assert.match(test.join(' '), /\/readyz/, name);
      if (commandOf(service).startsWith('worker')) assert.ok(service.environment?.HEALTH_PORT, `${name} HEALTH_PORT`);
    }
  });

  it('runs the app read-only with a tmpfs /tmp, secrets only as mounted files', () => {
    for (const [name, service] of appServices()) {
      assert.equal(service.read_only, true, `${name} read_only`);
      assert.ok(service.tmpfs?.includes('/tmp'), `${name} tmpfs /tmp`);
      const environment = service.environment ?? {};
      for (const variable of ['DATABASE_URL', 'SECUREBASE_MASTER_KEY', 'SMTP_URL'])
        assert.equal(environment[variable], undefined, `${name} gets ${variable} from a file, never inline`);
      const files = Object.entries(environment).filter(([variable]) => variable.endsWith('_FILE'));
      assert.ok(files.length > 0, `${name} reads secrets from files`);
      for (const [variable, path] of files) {
        const secret = /^\/run\/secrets\/(.+)$/.exec(path)?.[1];
        assert.ok(secret && service.secrets?.includes(secret), `${name} ${variable} is a mounted secret`);
        assert.ok(compose.secrets[secret]?.file, `secret ${secret} comes from a file`);
      }
    }
  });

  it('gives the processes of the PostgreSQL layout one shared data directory', () => {
    const volumes = inProfile('postgres')
      .filter(([, service]) => service.image === 'securebase:local')
      .map(([, service]) => service.volumes?.find((volume) => volume.endsWith(':/data')));
    assert.equal(new Set(volumes).size, 1, 'attachments and import spools are on one volume');
    assert.ok(volumes[0]);
  });
});
