import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { buildSecureBase } from '../lib/app.ts';

/** The committed context (cdk.json) plus the per-deployment values an operator passes with -c. */
export const DEPLOYMENT_CONTEXT: Record<string, unknown> = {
  ...(JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> })
    .context,
  certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
  domainName: 'securebase.example.com',
  mailDomain: 'example.com',
  imageTag: '0.1.0-test',
};

/** The app as `cdk synth` builds it, with the deployment context. */
export function synthesiseDeployment(context: Record<string, unknown> = DEPLOYMENT_CONTEXT) {
  const app = new App({ context });
  const stack = buildSecureBase(app);
  return { app, stack };
}
