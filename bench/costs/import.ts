// Import of a generated 1,000,000-row AWS CUR 2.0 file (21 columns, hourly rows of 12 services in
// 4 accounts and 5 regions over 4 months, resource tags as JSON), beside its baseline measured in
// the same run: a bare csv-parse pass over the same file (the parse ceiling). Each pass runs in a
// child process of its own, so its peak RSS is its own. Aims: import ≥ 50 % of the parse ceiling,
// peak RSS < 300 MB.
//
//   node --import tsx bench/costs/import.ts [rows]
//   node --import tsx bench/costs/import.ts generate FILE [rows]   (the file alone, e.g. to profile)
import { fork } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { CUR2_HEADER as HEADER } from '../../src/forecasting/imports/testing/exports.ts';
import { seededRandom } from '../../src/forecasting/engine/stats.ts';

interface Measured {
  rows: number;
  seconds: number;
  /** CPU seconds of the pass (user + system): steadier than wall time on a shared machine. */
  cpuSeconds: number;
  maxRssMb: number;
  detail?: string;
}

const SERVICES = [
  'AmazonEC2',
  'AmazonS3',
  'AmazonRDS',
  'AWSLambda',
  'AmazonCloudFront',
  'AmazonDynamoDB',
  'AmazonECS',
  'AmazonEKS',
  'AWSDataTransfer',
  'AmazonCloudWatch',
  'AmazonSQS',
  'AmazonElastiCache',
];
const ACCOUNTS = ['111111111111', '222222222222', '333333333333', '444444444444'];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];
const TYPES = ['Usage', 'Usage', 'Usage', 'Usage', 'Usage', 'Usage', 'DiscountedUsage', 'Tax', 'Credit'];
const TAGS = ['{"user_team":"web","user_env":"prod"}', '{"user_team":"data","user_env":"prod"}', ''];

async function generate(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  const next = seededRandom(42);
  const start = Date.parse('2026-06-01T00:00:00Z');
  const hours = 122 * 24;
  let buffer = `${HEADER.join(',')}\n`;
  for (let i = 0; i < rows; i += 1) {
    const at = new Date(start + Math.floor((i / rows) * hours) * 3_600_000);
    const end = new Date(at.getTime() + 3_600_000);
    const service = SERVICES[Math.floor(next() * SERVICES.length)]!;
    const type = TYPES[Math.floor(next() * TYPES.length)]!;
    const amount = next() * 4;
    const cost =
      type === 'Credit'
        ? `-${(next() * 0.5).toFixed(8)}`
        : next() < 0.05
          ? `${(next() * 9).toFixed(2)}E-7`
          : (amount * 0.096).toFixed(10);
    const tags = TAGS[Math.floor(next() * TAGS.length)]!;
    const cells = [
      `li-${i.toString(36)}`,
      `${at.toISOString()}/${end.toISOString()}`,
      '999999999999',
      ACCOUNTS[Math.floor(next() * ACCOUNTS.length)]!,
      type,
      at.toISOString(),
      end.toISOString(),
      service,
      'BoxUsage:m5.large',
      'RunInstances',
      `arn:aws:ec2:us-east-1:111111111111:instance/i-${(i % 5000).toString(16).padStart(8, '0')}`,
      amount.toFixed(8),
      'USD',
      '0.096',
      cost,
      '"$0.096 per On Demand Linux, m5.large Instance Hour"',
      `Amazon ${service}`,
      service,
      REGIONS[Math.floor(next() * REGIONS.length)]!,
      'Hrs',
      tags === '' ? '' : `"${tags.replaceAll('"', '""')}"`,
    ];
    buffer += `${cells.join(',')}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** The parse ceiling: csv-parse over the file, records consumed and nothing else. */
async function bareParse(path: string): Promise<Measured> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let rows = 0;
  const parser = createReadStream(path).pipe(parse({ bom: true, relax_quotes: true, relax_column_count: true }));
  for await (const record of parser) if (record) rows += 1;
  return {
    rows: rows - 1,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: cpuSecondsSince(cpu),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

/** Our import: readBillingExport + writeDailyCosts into a fresh SQLite database. */
async function fullImport(path: string): Promise<Measured> {
  const [{ createTestDatabase }, { importBillingFile }] = await Promise.all([
    import('../../src/testing/database.ts'),
    import('../../src/forecasting/imports/pipeline.ts'),
  ]);
  const database = await createTestDatabase('sqlite');
  try {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const { report } = await importBillingFile(
      { db: database.db, clock: () => new Date('2026-11-28T00:00:00Z') },
      { customerId: 'cus_bench', path, basis: undefined, source: 'import:bench' },
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      rows: report.rows_imported,
      seconds,
      cpuSeconds: cpuSecondsSince(cpu),
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      detail: `${report.records} records, ${report.days} days, ${report.rows_rejected} rejected`,
    };
  } finally {
    await database.destroy();
  }
}

function inChild(mode: 'parse' | 'import', path: string): Promise<Measured> {
  const child = fork(new URL(import.meta.url), [mode, path], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (measured: Measured) => resolve(measured));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`${mode} exited with ${code}`))));
  });
}

const [mode, arg, count] = process.argv.slice(2);
if (mode === 'generate') {
  await generate(arg!, Number(count ?? 1_000_000));
} else if (mode === 'parse' || mode === 'import') {
  const measured = mode === 'parse' ? await bareParse(arg!) : await fullImport(arg!);
  process.send?.(measured);
  process.disconnect?.();
} else {
  const rows = Number(mode ?? 1_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'securebase-bench-import-'));
  try {
    const path = join(dir, 'cur2.csv');
    const generatedAt = performance.now();
    await generate(path, rows);
    const mb = statSync(path).size / 1e6;
    console.log(
      `Generated ${rows.toLocaleString('en')} CUR 2.0 rows (${HEADER.length} columns, ${mb.toFixed(0)} MB) in ${((performance.now() - generatedAt) / 1000).toFixed(1)} s`,
    );
    const ceiling = await inChild('parse', path);
    const ours = await inChild('import', path);
    const rate = (m: Measured) => m.rows / m.seconds;
    const cpuRate = (m: Measured) => m.rows / m.cpuSeconds;
    const cells = [
      ['rows/s', (m: Measured) => Math.round(rate(m)).toLocaleString('en')],
      ['rows/CPU-s', (m: Measured) => Math.round(cpuRate(m)).toLocaleString('en')],
      ['seconds', (m: Measured) => m.seconds.toFixed(2)],
      ['MB/s', (m: Measured) => (mb / m.seconds).toFixed(1)],
      ['RSS MB', (m: Measured) => m.maxRssMb.toFixed(0)],
    ] as const;
    const line = (name: string, m: Measured) =>
      `${name.padEnd(42)} ${cells.map(([title, cell]) => cell(m).padStart(Math.max(8, title.length))).join(' ')}`;
    console.log(`\n${'pass'.padEnd(42)} ${cells.map(([title]) => title.padStart(8)).join(' ')}`);
    console.log(line('bare csv-parse (parse ceiling, baseline)', ceiling));
    console.log(line('import: read + aggregate + write (SQLite)', ours));
    console.log(`\nimport ${ours.detail}`);
    const share = rate(ours) / rate(ceiling);
    const cpuShare = cpuRate(ours) / cpuRate(ceiling);
    console.log(
      `import at ${(share * 100).toFixed(0)} % of the parse ceiling by wall time, ${(cpuShare * 100).toFixed(0)} % by CPU time (aim ≥ 50 %): ${share >= 0.5 ? 'met' : 'NOT met'}; peak RSS ${ours.maxRssMb.toFixed(0)} MB (aim < 300 MB): ${ours.maxRssMb < 300 ? 'met' : 'NOT met'}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
