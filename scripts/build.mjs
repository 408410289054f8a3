// Compiles src/ to dist/ with tsc (tsconfig.build.json). The output is written to a fresh folder and
// swapped in only when tsc succeeds, so a failed build keeps the previous dist/ and a deleted source
// leaves no stale module behind.
// `--if-stale` (used by `npm start`) builds only when a source or build setting is newer than dist/.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
// Written after a successful build; its time is the build's time.
const stamp = join(dist, '.built');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((name) => join(root, name));

function newestModification(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce(
    (newest, name) => Math.max(newest, newestModification(join(path, name))),
    stats.mtimeMs,
  );
}

function isStale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return inputs.some((input) => newestModification(input) > built);
}

function compile() {
  // Sources saved while tsc runs must count as newer than this build.
  const started = new Date();
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    console.error(
      'securebase build: dist/ is missing or stale and TypeScript is not installed; run `npm ci` (with dev dependencies) then `npm run build`',
    );
    process.exit(1);
  }
  console.log('securebase build: compiling src/ to dist/');
  const staging = join(root, '.tmp', 'dist-build');
  rmSync(staging, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', staging], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    console.error('securebase build: tsc failed; dist/ was left as it was');
    process.exit(result.status ?? 1);
  }
  writeFileSync(join(staging, '.built'), `${started.toISOString()}\n`);
  utimesSync(join(staging, '.built'), started, started);
  rmSync(dist, { recursive: true, force: true });
  renameSync(staging, dist);
}

if (!process.argv.includes('--if-stale') || isStale()) compile();
