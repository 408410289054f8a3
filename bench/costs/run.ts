// `npm run bench:costs`: every part of the cost product's benchmark, one after another, each in a
// process of its own so that its timings and peak RSS are its own. `-- --only import,forecast`
// narrows the run. Each part prints its figures beside its baseline measured in the same run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PARTS = [
  ['import', 'a 1,000,000-row CUR 2.0 file beside a bare csv-parse pass'],
  ['forecast', 'forecast API p50/p99, cold and cached, 36 months × 15 services'],
  ['anomalies', 'anomaly precision and recall on generated series beside the 150 % rule alone'],
  ['demo', "the demo tenant's costs beside a raw upsert of the same rows"],
] as const;

const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex >= 0 ? new Set((process.argv[onlyIndex + 1] ?? '').split(',')) : null;
let failed = false;
for (const [part, what] of PARTS) {
  if (only && !only.has(part)) continue;
  console.log(`\n=== ${part}: ${what}\n`);
  const script = fileURLToPath(new URL(`./${part}.ts`, import.meta.url));
  const result = spawnSync(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit' });
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
