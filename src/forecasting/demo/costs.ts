/**
 * Realistic daily cloud costs for the demo tenant, as a pure function of the last day, the number
 * of months and a seed: a mix of AWS services of realistic relative sizes over two accounts and
 * regions, each with its own growth, weekly profile (compute drops at weekends, storage is flat),
 * yearly cycle (a December peak and a summer dip for the patient-facing workloads), multiplicative
 * noise, a mid-history launch, and three anomalies for the detector to find. The history starts
 * on the first day of a month and ends on `end`, so the last month is partial unless `end` is its
 * last day.
 */
import type { DailyCost } from '../records/store.ts';
import { normalSampler, seededRandom } from '../engine/stats.ts';

const PROD = '210987654321';
const STAGING = '123456789012';

type Weekly = 'compute' | 'requests' | 'traffic' | 'flat';

/** Weekday-to-weekend profile, Sunday first: autoscaled compute and request-driven services rest. */
const WEEKLY: Record<Weekly, readonly number[]> = {
  compute: [0.76, 1.02, 1.04, 1.04, 1.03, 1.0, 0.79],
  requests: [0.62, 1.06, 1.08, 1.08, 1.06, 1.0, 0.66],
  traffic: [0.85, 1.03, 1.04, 1.04, 1.03, 1.0, 0.86],
  flat: [1, 1, 1, 1, 1, 1, 1],
};

interface ServiceMix {
  service: string;
  /** Daily cost in USD on the last day, before weekly and yearly factors. */
  dailyUsd: number;
  /** Compound growth per month. */
  growth: number;
  weekly: Weekly;
  /** Amplitude of the yearly cycle, peaking mid-December (0: none). */
  yearly: number;
  /** Standard deviation of the log noise of one day in one account and region. */
  noise: number;
  /** Months before the end the service was launched (ramping up over its first month), if mid-history. */
  launchedMonthsAgo?: number;
  split: ReadonlyArray<{ accountId: string; region: string; share: number; environment: string }>;
}

const PROD_US = { accountId: PROD, region: 'us-east-1', environment: 'production' };
const PROD_EU = { accountId: PROD, region: 'eu-west-1', environment: 'production' };
const STAGE_US = { accountId: STAGING, region: 'us-east-1', environment: 'staging' };
const GLOBAL = { accountId: PROD, region: 'global', environment: 'production' };

const regional = (us: number, eu: number, staging: number) => [
  { ...PROD_US, share: us },
  { ...PROD_EU, share: eu },
  { ...STAGE_US, share: staging },
];

/** A mid-size healthcare platform: about 80,000 USD a month, compute and databases first. */
export const DEMO_SERVICES: readonly ServiceMix[] = [
  {
    service: 'Amazon Elastic Compute Cloud',
    dailyUsd: 1050,
    growth: 0.025,
    weekly: 'compute',
    yearly: 0.08,
    noise: 0.05,
    split: regional(0.62, 0.26, 0.12),
  },
  {
    service: 'Amazon Relational Database Service',
    dailyUsd: 620,
    growth: 0.02,
    weekly: 'flat',
    yearly: 0.03,
    noise: 0.025,
    split: regional(0.66, 0.28, 0.06),
  },
  {
    service: 'Amazon Simple Storage Service',
    dailyUsd: 260,
    growth: 0.035,
    weekly: 'flat',
    yearly: 0,
    noise: 0.03,
    split: regional(0.7, 0.25, 0.05),
  },
  {
    service: 'Amazon Elastic Kubernetes Service',
    dailyUsd: 240,
    growth: 0.04,
    weekly: 'compute',
    yearly: 0.06,
    noise: 0.06,
    launchedMonthsAgo: 11,
    split: regional(0.7, 0.2, 0.1),
  },
  {
    service: 'AWS Data Transfer',
    dailyUsd: 150,
    growth: 0.03,
    weekly: 'traffic',
    yearly: 0.12,
    noise: 0.09,
    split: regional(0.65, 0.3, 0.05),
  },
  {
    service: 'Amazon CloudFront',
    dailyUsd: 120,
    growth: 0.03,
    weekly: 'traffic',
    yearly: 0.15,
    noise: 0.08,
    split: [{ ...GLOBAL, share: 1 }],
  },
  {
    service: 'Amazon DynamoDB',
    dailyUsd: 95,
    growth: 0.03,
    weekly: 'requests',
    yearly: 0.1,
    noise: 0.07,
    split: regional(0.75, 0.25, 0),
  },
  {
    service: 'AWS Lambda',
    dailyUsd: 70,
    growth: 0.04,
    weekly: 'requests',
    yearly: 0.14,
    noise: 0.1,
    split: regional(0.6, 0.3, 0.1),
  },
  {
    service: 'AmazonCloudWatch',
    dailyUsd: 60,
    growth: 0.025,
    weekly: 'traffic',
    yearly: 0.04,
    noise: 0.05,
    split: regional(0.6, 0.25, 0.15),
  },
  {
    service: 'AWS Backup',
    dailyUsd: 48,
    growth: 0.03,
    weekly: 'flat',
    yearly: 0,
    noise: 0.02,
    split: regional(0.7, 0.3, 0),
  },
  {
    service: 'Amazon GuardDuty',
    dailyUsd: 28,
    growth: 0.02,
    weekly: 'traffic',
    yearly: 0.03,
    noise: 0.05,
    launchedMonthsAgo: 19,
    split: regional(0.6, 0.3, 0.1),
  },
  {
    service: 'AWS Key Management Service',
    dailyUsd: 14,
    growth: 0.015,
    weekly: 'flat',
    yearly: 0,
    noise: 0.02,
    split: regional(0.6, 0.3, 0.1),
  },
];

/** An unusual stretch of one service: days counted back from the last day (0 = the last day). */
export interface DemoAnomaly {
  service: string;
  fromDaysAgo: number;
  toDaysAgo: number;
  factor: number;
  why: string;
}

/** The anomalies the demo data holds, far enough apart that each stands alone. */
export const DEMO_ANOMALIES: readonly DemoAnomaly[] = [
  {
    service: 'Amazon Elastic Compute Cloud',
    fromDaysAgo: 212,
    toDaysAgo: 210,
    factor: 2.6,
    why: 'a load-test fleet left running over a weekend',
  },
  {
    service: 'Amazon Relational Database Service',
    fromDaysAgo: 431,
    toDaysAgo: 430,
    factor: 0.35,
    why: 'replicas stopped during a failed maintenance',
  },
  {
    service: 'Amazon Simple Storage Service',
    fromDaysAgo: 8,
    toDaysAgo: 0,
    factor: 1.9,
    why: 'snapshots of the last migration never cleaned up (the demo ticket on storage costs)',
  },
];

const DAY_MS = 86_400_000;
const AVERAGE_MONTH_DAYS = 365.25 / 12;
/** Mid-December: the day of the year the yearly cycle peaks (open enrolment), and bottoms in June. */
const PEAK_DAY_OF_YEAR = 350;

/** First day of the month `months - 1` months before the month of `end` (YYYY-MM-DD). */
export function demoHistoryStart(end: string, months: number): string {
  const last = new Date(`${end}T00:00:00Z`);
  return new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth() - (months - 1), 1)).toISOString().slice(0, 10);
}

/**
 * The demo tenant's daily costs from the first day of the month `months - 1` months before `end`'s
 * month through `end`, one row per day × service × account × region, in date order.
 */
export function demoDailyCosts(options: { end: string; months: number; seed: number }): DailyCost[] {
  const { end, months, seed } = options;
  const normal = normalSampler(seededRandom(seed));
  const endMs = Date.parse(`${end}T00:00:00Z`);
  const rows: DailyCost[] = [];
  for (let ms = Date.parse(`${demoHistoryStart(end, months)}T00:00:00Z`); ms <= endMs; ms += DAY_MS) {
    const day = new Date(ms);
    const date = day.toISOString().slice(0, 10);
    const daysAgo = Math.round((endMs - ms) / DAY_MS);
    const monthsAgo = daysAgo / AVERAGE_MONTH_DAYS;
    const dayOfYear = (ms - Date.UTC(day.getUTCFullYear(), 0, 1)) / DAY_MS;
    const season = Math.cos((2 * Math.PI * (dayOfYear - PEAK_DAY_OF_YEAR)) / 365.25);
    for (const mix of DEMO_SERVICES) {
      const ramp = mix.launchedMonthsAgo === undefined ? 1 : Math.min(1, mix.launchedMonthsAgo - monthsAgo);
      if (ramp <= 0) continue;
      const anomaly = DEMO_ANOMALIES.find(
        (a) => a.service === mix.service && daysAgo <= a.fromDaysAgo && daysAgo >= a.toDaysAgo,
      );
      const level =
        mix.dailyUsd *
        ramp *
        Math.pow(1 + mix.growth, -monthsAgo) *
        (WEEKLY[mix.weekly][day.getUTCDay()] ?? 1) *
        (1 + mix.yearly * season) *
        (anomaly?.factor ?? 1);
      for (const part of mix.split) {
        if (part.share === 0) continue;
        // Log-normal noise with mean 1, so noise does not move the level.
        const noise = Math.exp(mix.noise * normal() - (mix.noise * mix.noise) / 2);
        rows.push({
          date,
          service: mix.service,
          accountId: part.accountId,
          region: part.region,
          tags: { environment: part.environment },
          amountMicros: Math.round(level * part.share * noise * 1_000_000),
        });
      }
    }
  }
  return rows;
}
