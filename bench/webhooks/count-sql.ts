// Preloaded into the bench's workers with BENCH_SQL=1 (PostgreSQL): counts every statement the
// process sends, by its text with parameter lists folded, with the wall time until its result, and
// writes the totals to /tmp/wh/sql/<pid>.json four times a second. Where pg_stat_statements is not
// loaded on the server, this is how the bench counts SQL round trips per delivery.
import { mkdirSync, writeFileSync } from 'node:fs';
import pg from 'pg';

const DIR = '/tmp/wh/sql';
const totals = new Map<string, { calls: number; ms: number }>();

/** `in ($1, $2, …)` and multi-row `values (…), (…)` fold to one shape, so a statement is one line. */
export function statementShape(text: string): string {
  return text
    .replace(/\$\d+/g, '?')
    .replace(/\(\?(, \?)*\)/g, '(?)')
    .replace(/\(\?\)(, \(\?\))+/g, '(?)…');
}

const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const result = original.apply(this, args);
  const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
  if (text && result instanceof Promise) {
    const started = performance.now();
    const count = () => {
      const shape = statementShape(text);
      const entry = totals.get(shape) ?? { calls: 0, ms: 0 };
      entry.calls += 1;
      entry.ms += performance.now() - started;
      totals.set(shape, entry);
    };
    result.then(count, count);
  }
  return result;
} as typeof pg.Client.prototype.query;

mkdirSync(DIR, { recursive: true });
setInterval(() => writeFileSync(`${DIR}/${process.pid}.json`, JSON.stringify(Object.fromEntries(totals))), 250).unref();
