// Summarises V8 CPU profiles (node --cpu-prof): top functions by self time, and self time by
// source (our files, each package, node internals, GC), as shares of the busy (non-idle) time.
// Profiles of threads that were idle nearly all the time (tsx's loader thread) are left out. Usage:
//   node --import tsx bench/cpu-profile-summary.ts /tmp/wh/prof [top]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [target = '/tmp/wh/prof', topArg = '30'] = process.argv.slice(2);
const files = statSync(target).isDirectory()
  ? readdirSync(target)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(target, f))
  : [target];

/** Where a frame's code lives: a package, one of our files, node internals, or V8's own entries. */
function sourceOf(url: string, functionName: string): string {
  if (!url) return `(${functionName || 'native'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  if (url.startsWith('node:')) return 'node internals';
  const ours = /\/(src|bench)\/(.*)$/.exec(url);
  return ours ? `${ours[1]}/${ours[2]}` : url;
}

const byFunction = new Map<string, number>();
const bySource = new Map<string, number>();
let total = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const busy = profile.samples.filter((id) => nodes.get(id)?.callFrame.functionName !== '(idle)').length;
  if (busy < profile.samples.length * 0.02) continue;
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id);
    const micros = profile.timeDeltas[i] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)') return;
    const { functionName, url, lineNumber } = node.callFrame;
    const source = sourceOf(url, functionName);
    const key = `${functionName || '(anonymous)'}  ${source}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
    bySource.set(source, (bySource.get(source) ?? 0) + micros);
    total += micros;
  });
}

const print = (title: string, entries: Map<string, number>, top: number) => {
  console.log(`\n${title}`);
  for (const [key, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(
      `${((micros / total) * 100).toFixed(1).padStart(5)} %  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${key}`,
    );
};
console.log(`${files.length} profiles, ${(total / 1e6).toFixed(1)} s busy`);
print('self time by function', byFunction, Number(topArg));
print('self time by source', bySource, 25);
