import { Validations } from 'aws-cdk-lib';
import type { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SecureBaseStack } from './securebase-stack.ts';
import { readSettings } from './settings.ts';

/** The deployment as `cdk synth` builds it and the tests check it: the stack, under cdk-nag's AWS Solutions rules. */
export function buildSecureBase(app: App): SecureBaseStack {
  const settings = readSettings((key) => app.node.tryGetContext(key));
  // The account comes from the deploying credentials (none offline); the region is fixed, so zone
  // names and regional service principals need no lookup.
  const stack = new SecureBaseStack(app, 'SecureBase', {
    settings,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: settings.region },
    description: 'SecureBase platform services: API, workers, Aurora PostgreSQL, SES mail, alarms',
  });
  // A finding that is not acknowledged (with its reason, next to the resource) fails synthesis.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}
