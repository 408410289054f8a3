import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sesSmtpPassword, sesSmtpUrl } from '../lambda/bootstrap-secrets/ses-smtp.mjs';
import { isRollingBack, migrationFailure } from '../lambda/run-migration/outcome.mjs';

describe('SES SMTP credentials', () => {
  // Vectors of terraform-provider-aws (TestSESSMTPPasswordFromSecretKeySigV4), whose derivation is
  // known to authenticate against SES: agreeing with it is the point, not agreeing with ourselves.
  const vectors = [
    { region: 'eu-central-1', secret: 'some+secret+key', password: 'BMXhUYlu5Z3gSXVQORxlVa7XPaz91aGWdfHxvkOZdWZ2' },
    { region: 'eu-central-1', secret: 'another+secret+key', password: 'BBbphbrQmrKMx42d1N6+C7VINYEBGI5v9VsZeTxwskfh' },
    { region: 'us-west-1', secret: 'some+secret+key', password: 'BH+jbMzper5WwlwUar9E1ySBqHa9whi0GPo+sJ0mVYJj' },
    { region: 'us-west-1', secret: 'another+secret+key', password: 'BKVmjjMDFk/qqw8EROW99bjCS65PF8WKvK5bSr4Y6EqF' },
  ];
  for (const { region, secret, password } of vectors) {
    it(`derives the SMTP password of "${secret}" in ${region}`, () => {
      assert.equal(sesSmtpPassword(secret, region), password);
    });
  }

  it('builds an SMTP_URL whose credentials survive URL parsing', () => {
    const url = new URL(
      sesSmtpUrl({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'another+secret+key', region: 'us-west-1' }),
    );
    assert.equal(url.protocol, 'smtp:');
    assert.equal(url.host, 'email-smtp.us-west-1.amazonaws.com:587');
    assert.equal(decodeURIComponent(url.username), 'AKIAEXAMPLE');
    assert.equal(decodeURIComponent(url.password), 'BKVmjjMDFk/qqw8EROW99bjCS65PF8WKvK5bSr4Y6EqF');
  });
});

describe('migrationFailure', () => {
  const task = {
    taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/c/1',
    stoppedReason: 'Essential container in task exited',
  };

  it('accepts a migrate container that exited 0', () => {
    assert.equal(migrationFailure({ ...task, containers: [{ name: 'app', exitCode: 0 }] }, 'app'), undefined);
  });

  it('fails on a non-zero exit, and on a container that never ran', () => {
    assert.match(migrationFailure({ ...task, containers: [{ name: 'app', exitCode: 1 }] }, 'app') ?? '', /exit code 1/);
    const neverRan = migrationFailure(
      { ...task, stoppedReason: 'CannotPullContainerError', containers: [{ name: 'app', reason: 'pull failed' }] },
      'app',
    );
    assert.match(neverRan ?? '', /no exit code \(CannotPullContainerError; pull failed\)/);
  });
});

describe('isRollingBack', () => {
  it("skips the older release's migrate while the stack rolls back, and only then", () => {
    assert.equal(isRollingBack('UPDATE_ROLLBACK_IN_PROGRESS'), true);
    for (const status of ['UPDATE_IN_PROGRESS', 'CREATE_IN_PROGRESS', 'UPDATE_ROLLBACK_COMPLETE', undefined]) {
      assert.equal(isRollingBack(status), false, String(status));
    }
  });
});
