// Runs every *.test.ts under src/, bench/, deploy/ and portal/e2e/ with Node's test runner (through tsx),
// then the portal's component tests with Vitest (portal/src/**/*.test.tsx).
// Optional arguments narrow the run to paths containing one of them (`portal` selects Vitest too).
// --test-force-exit: a file whose tests have all finished exits even if a failed test left a timer or
// socket open, so one failure cannot hang the whole run until CI's time limit. Its cost: with
// concurrency, Node can drop the last verdicts of a file from the report (nodejs/node#64833), so the
// printed count is a lower bound; a failing test still fails the run through its file's exit code.
// dist/ and portal/dist/ are rebuilt first when stale, once: CLI tests run the compiled
// bin/securebase.js, and the browser tests load the built portal.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

function findTests(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const filters = process.argv.slice(2);
const files = ['src', 'bench', 'deploy', 'portal/e2e']
  .flatMap((dir) => findTests(dir))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
const runVitest = filters.length === 0 || filters.some((f) => 'portal/src'.includes(f) || f.startsWith('portal/src'));
if (files.length === 0 && !runVitest) {
  console.error('no test files matched');
  process.exit(1);
}
const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
let failed = false;
if (files.length > 0) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-force-exit', '--test-reporter=spec', ...files],
    { stdio: 'inherit' },
  );
  failed ||= result.status !== 0;
}
if (runVitest) {
  const vitest = join(
    dirname(createRequire(resolve('portal', 'package.json')).resolve('vitest/package.json')),
    'vitest.mjs',
  );
  const result = spawnSync(process.execPath, [vitest, 'run'], { stdio: 'inherit', cwd: 'portal' });
  failed ||= result.status !== 0;
}
process.exit(failed ? 1 : 0);
