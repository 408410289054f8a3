// Summarises a V8 CPU profile (`node --cpu-prof`): the functions with the most self time and the
// most inclusive time (each function counted once per sample, so recursion does not inflate it).
// Shares count samples rather than summing their time deltas: on a busy machine a delta also holds
// the time the thread waited for a core, which would be charged to whatever ran next.
// Usage: node --import tsx bench/cpu-profile.ts FILE.cpuprofile [--top N]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  samples: number;
  share: number;
}

/** `function file:line`, with the path shortened to what follows node_modules or the project root. */
function frameName({ functionName, url, lineNumber }: ProfileNode['callFrame']): string {
  const file = url
    .replace(/^file:\/\//, '')
    .replace(/^.*node_modules\//, '')
    .replace(/^.*\/(src|bench)\//, '$1/');
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
}

/** Self and inclusive samples per function, largest first. */
export function summariseProfile(profile: Profile): {
  total: number;
  seconds: number;
  self: FunctionTime[];
  inclusive: FunctionTime[];
} {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const id of profile.samples) {
    const leaf = byId.get(id);
    if (!leaf) continue;
    const leafName = frameName(leaf.callFrame);
    self.set(leafName, (self.get(leafName) ?? 0) + 1);
    const seen = new Set<string>();
    for (let node: ProfileNode | undefined = leaf; node; node = byId.get(parent.get(node.id) ?? -1)) {
      const name = frameName(node.callFrame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
    }
  }
  const total = profile.samples.length;
  const ranked = (counts: Map<string, number>) =>
    [...counts]
      .map(([name, samples]) => ({ name, samples, share: samples / total }))
      .sort((a, b) => b.samples - a.samples);
  const seconds = profile.timeDeltas.reduce((sum, delta) => sum + delta, 0) / 1e6;
  return { total, seconds, self: ranked(self), inclusive: ranked(inclusive) };
}

/** The summary as text: the top `top` rows of each ranking with their share of all samples. */
export function formatSummary(summary: ReturnType<typeof summariseProfile>, top: number): string {
  const rows = (times: FunctionTime[]) =>
    times
      .slice(0, top)
      .map((t) => `  ${(t.share * 100).toFixed(1).padStart(5)} %  ${t.name}`)
      .join('\n');
  return `${summary.total} samples over ${summary.seconds.toFixed(2)} s\n\ntop self time:\n${rows(summary.self)}\n\ntop inclusive time:\n${rows(summary.inclusive)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: bench/cpu-profile.ts FILE.cpuprofile [--top N]');
  const topArg = process.argv.indexOf('--top');
  const top = topArg > 0 ? Number(process.argv[topArg + 1]) : 40;
  console.log(formatSummary(summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile), top));
}
