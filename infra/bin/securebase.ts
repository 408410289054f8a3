import { App } from 'aws-cdk-lib';
import { buildSecureBase } from '../lib/app.ts';

buildSecureBase(new App());
