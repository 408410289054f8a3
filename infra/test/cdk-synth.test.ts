import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEPLOYMENT_CONTEXT } from './deployment.ts';

const INFRA_DIR = new URL('..', import.meta.url).pathname;

describe('cdk synth (the aws-cdk CLI, offline)', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'securebase-cdk-'));
  after(() => rmSync(outdir, { recursive: true, force: true }));

  it('synthesises the app from cdk.json with only the per-deployment -c values, looking nothing up', () => {
    const perDeployment = ['certificateArn', 'domainName', 'mailDomain', 'imageTag'].flatMap((key) => [
      '-c',
      `${key}=${String(DEPLOYMENT_CONTEXT[key])}`,
    ]);
    const result = spawnSync(
      join(INFRA_DIR, 'node_modules', '.bin', 'cdk'),
      ['synth', '--quiet', '--no-notices', '--output', outdir, ...perDeployment],
      // No credentials: the CLI must not need an account, and CDK_DEFAULT_ACCOUNT stays unset.
      { cwd: INFRA_DIR, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: outdir } },
    );
    assert.equal(result.status, 0, result.stderr);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { missing?: unknown };
    assert.equal(manifest.missing, undefined, 'no context lookups');
    assert.ok(existsSync(join(outdir, 'SecureBase.template.json')));
    assert.ok(!existsSync(join(INFRA_DIR, 'cdk.context.json')), 'nothing was looked up and cached');
  });

  it('fails with every missing per-deployment value named', () => {
    const result = spawnSync(
      join(INFRA_DIR, 'node_modules', '.bin', 'cdk'),
      ['synth', '--quiet', '--no-notices', '--output', outdir],
      { cwd: INFRA_DIR, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: outdir } },
    );
    assert.notEqual(result.status, 0);
    for (const key of ['certificateArn', 'domainName', 'mailDomain', 'imageTag'])
      assert.match(result.stderr, new RegExp(key));
  });
});
