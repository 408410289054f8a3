// Compiles src/ to dist/ with tsc (tsconfig.build.json), and the portal to portal/dist/ with Vite.
// Each output is written to a fresh folder and swapped in only when its build succeeds, so a failed
// build keeps the previous output and a deleted source leaves no stale module behind.
// `--if-stale` (used by `npm start` and `npm test`) builds each part only when one of its sources or
// build settings is newer than its output.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const server = {
  name: 'server',
  output: join(root, 'dist'),
  home: root,
  inputs: ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((name) => join(root, name)),
};
const portal = {
  name: 'portal',
  home: join(root, 'portal'),
  output: join(root, 'portal', 'dist'),
  inputs: ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'].map((name) => join(root, 'portal', name)),
};

function newestModification(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce(
    (newest, name) => Math.max(newest, newestModification(join(path, name))),
    stats.mtimeMs,
  );
}

// The stamp is written after a successful build; its time is the build's time.
const stampOf = (part) => join(part.output, '.built');

function isStale(part) {
  if (!existsSync(stampOf(part))) return true;
  const built = statSync(stampOf(part)).mtimeMs;
  return part.inputs.some((input) => existsSync(input) && newestModification(input) > built);
}

function resolveTool(specifier, part) {
  try {
    const [name, ...path] = specifier.split('/');
    const manifest = createRequire(join(part.home, 'package.json')).resolve(`${name}/package.json`);
    return join(dirname(manifest), ...path);
  } catch {
    console.error(
      `securebase build: ${part.name} output is missing or stale and its build tools are not installed; run \`npm ci\` (with dev dependencies) then \`npm run build\``,
    );
    process.exit(1);
  }
}

/** Runs `command` to write into a staging folder, then swaps it in for `part.output`. */
function build(part, describe, commandFor) {
  // Sources saved while the build runs must count as newer than it.
  const started = new Date();
  console.log(`securebase build: ${describe}`);
  const staging = join(root, '.tmp', `${part.name}-build`);
  rmSync(staging, { recursive: true, force: true });
  const [command, args, cwd] = commandFor(staging);
  const result = spawnSync(command, args, { stdio: 'inherit', cwd });
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    console.error(`securebase build: the ${part.name} build failed; its output was left as it was`);
    process.exit(result.status ?? 1);
  }
  writeFileSync(join(staging, '.built'), `${started.toISOString()}\n`);
  utimesSync(join(staging, '.built'), started, started);
  rmSync(part.output, { recursive: true, force: true });
  renameSync(staging, part.output);
}

const always = !process.argv.includes('--if-stale');
if (always || isStale(server)) {
  const tsc = resolveTool('typescript/bin/tsc', server);
  build(server, 'compiling src/ to dist/', (staging) => [
    process.execPath,
    [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', staging],
    root,
  ]);
}
if (always || isStale(portal)) {
  const vite = resolveTool('vite/bin/vite.js', portal);
  build(portal, 'building the portal to portal/dist/', (staging) => [
    process.execPath,
    [vite, 'build', '--outDir', staging, '--emptyOutDir', '--logLevel', 'warn'],
    portal.home,
  ]);
}
