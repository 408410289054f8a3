/**
 * Accuracy harness: `npm run bench:forecast -- --data FILE [--method NAME[,NAME…]] [--r-dir DIR] [--workers N]
 * [--split odd|even]`. Forecasts every series of a JSON-lines file (or one half of each collection
 * and period: the odd half tunes engine changes, the even half judges them) with the engine and the
 * baselines on worker threads, and prints per collection and period the
 * mean sMAPE, MASE, MSIS(95 %), 80/95 % coverage and seconds per series
 * beside R `forecast` 8.20, then one `overall:` line for the first method.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { METHODS, type Method } from '../../src/forecasting/engine/forecast.ts';
import { readRTable, readSeries, type BenchSeries } from './data.ts';
import { summarise, type SeriesScore, type Summary } from './evaluate.ts';
import { splitHalf } from './harness.ts';

interface Args {
  data: string;
  methods: Method[];
  rDir: string;
  workers: number;
  split?: 'odd' | 'even';
}

function parseArgs(argv: string[]): Args {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const data = get('--data');
  if (!data) {
    console.error(
      'usage: bench:forecast -- --data FILE [--method NAME[,NAME...]] [--r-dir DIR] [--workers N] [--split odd|even]',
    );
    process.exit(2);
  }
  const split = get('--split');
  if (split !== undefined && split !== 'odd' && split !== 'even') {
    console.error('--split is odd or even');
    process.exit(2);
  }
  const primary = (get('--method') ?? 'auto').split(',') as Method[];
  for (const m of primary) {
    if (!METHODS.includes(m)) {
      console.error(`unknown method ${m}; one of ${METHODS.join(', ')}`);
      process.exit(2);
    }
  }
  const methods = [...new Set<Method>([...primary, 'naive', 'snaive', 'drift'])];
  const rDir = get('--r-dir') ?? fileURLToPath(new URL('../../../shared/data/', import.meta.url));
  const workers = Number(get('--workers') ?? Math.min(2, availableParallelism()));
  return { data, methods, rDir, workers: Math.max(1, workers), split };
}

// `execArgv: ['--import', 'tsx']` does not register tsx's loader in worker
// threads on Node 20, so the worker registers it itself before importing the TS module.
const WORKER_BOOT = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};
register();
await import(${JSON.stringify(new URL('./worker.ts', import.meta.url).href)});`;

function runWorkers(series: BenchSeries[], methods: Method[], workers: number): Promise<SeriesScore[]> {
  const shares: BenchSeries[][] = Array.from({ length: workers }, () => []);
  series.forEach((s, i) => shares[i % workers]?.push(s));
  return Promise.all(
    shares.map(
      (share) =>
        new Promise<SeriesScore[]>((resolve, reject) => {
          const w = new Worker(WORKER_BOOT, { eval: true, workerData: { series: share, methods } });
          w.once('message', (m: SeriesScore[]) => resolve(m));
          w.once('error', reject);
          w.once('exit', (code) => {
            if (code !== 0) reject(new Error(`worker exited with ${code}`));
          });
        }),
    ),
  ).then((parts) => parts.flat());
}

const fmt = (v: number | undefined, d: number): string => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));

function row(label: string, s: Partial<Summary>): string {
  return [
    label.padEnd(14),
    fmt(s.smape, 2).padStart(8),
    fmt(s.mase, 3).padStart(7),
    fmt(s.msis, 2).padStart(8),
    fmt(s.cov80, 3).padStart(7),
    fmt(s.cov95, 3).padStart(7),
    fmt(s.sec, 4).padStart(10),
  ].join(' ');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const read = readSeries(args.data);
  const series = args.split ? splitHalf(read, args.split) : read;
  const t0 = performance.now();
  const scores = await runWorkers(series, args.methods, args.workers);
  const wall = (performance.now() - t0) / 1000;
  const groups = [...new Set(series.map((s) => `${s.collection} ${s.period}`))];
  for (const g of groups) {
    const [collection = '', period = ''] = g.split(' ');
    const count = series.filter((s) => `${s.collection} ${s.period}` === g).length;
    console.log(`\n== ${g} (${count} series)`);
    console.log(
      [
        'method'.padEnd(14),
        'sMAPE'.padStart(8),
        'MASE'.padStart(7),
        'MSIS95'.padStart(8),
        'cov80'.padStart(7),
        'cov95'.padStart(7),
        'sec/series'.padStart(10),
      ].join(' '),
    );
    for (const m of args.methods) console.log(row(m, summarise(scores.filter((s) => s.key === g && s.method === m))));
    const r = readRTable(args.rDir, collection, period);
    for (const [name, v] of r)
      console.log(
        row(`R ${name}`, {
          smape: v.sMAPE,
          mase: v.MASE,
          msis: v.MSIS95,
          cov80: v.cov80,
          cov95: v.cov95,
          sec: v.sec_per_series,
        }),
      );
  }
  const primary = args.methods[0] as Method;
  const all = summarise(scores.filter((s) => s.method === primary));
  console.log(
    `\n${primary}: ${series.length} series, ${args.workers} workers, wall ${wall.toFixed(1)} s (all methods)`,
  );
  console.log(
    `overall: sMAPE=${fmt(all.smape, 3)} MASE=${fmt(all.mase, 3)} cov80=${fmt(all.cov80, 3)} cov95=${fmt(all.cov95, 3)} sec_per_series=${fmt(all.sec, 4)}`,
  );
}

await main();
