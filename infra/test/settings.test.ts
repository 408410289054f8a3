import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSettings } from '../lib/settings.ts';
import { DEPLOYMENT_CONTEXT } from './deployment.ts';

const from = (context: Record<string, unknown>) => (key: string) => context[key];

describe('readSettings', () => {
  it('reads the committed context plus the per-deployment values', () => {
    const settings = readSettings(from(DEPLOYMENT_CONTEXT));
    assert.deepEqual(settings.availabilityZones, ['eu-west-1a', 'eu-west-1b']);
    assert.equal(settings.natGateways, 2);
    assert.equal(settings.alarmEmail, undefined);
  });

  it('accepts zones as the CLI passes them, one comma-separated string', () => {
    const settings = readSettings(from({ ...DEPLOYMENT_CONTEXT, availabilityZones: 'eu-west-1b, eu-west-1c' }));
    assert.deepEqual(settings.availabilityZones, ['eu-west-1b', 'eu-west-1c']);
  });

  it('lists every bad value at once', () => {
    const context = {
      ...DEPLOYMENT_CONTEXT,
      availabilityZones: ['eu-west-1a', 'us-east-1a'],
      certificateArn: undefined,
      imageTag: 'latest tag',
      natGateways: 3,
      alarmEmail: 'ops',
    };
    assert.throws(
      () => readSettings(from(context)),
      (error: Error) =>
        ['availabilityZones', 'certificateArn: missing', 'imageTag', 'natGateways', 'alarmEmail'].every((part) =>
          error.message.includes(part),
        ),
    );
  });
});
