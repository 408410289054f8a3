// CPU time of another process (the server under test), for "CPU per unit of work": on a shared
// machine the throughput moves with the neighbours, the CPU a request costs much less.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User plus system CPU time `pid` has used so far, in microseconds (Linux /proc). */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1e6;
}

/**
 * CPU time of every PostgreSQL process on this machine (backends, WAL writer, checkpointer), in
 * microseconds: the database's share of a unit of work when the bench has the server to itself.
 */
export function postgresCpuMicros(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += processCpuMicros(Number(entry));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}

/**
 * CPU time `pid` has run so far, in microseconds, from the scheduler's nanosecond account (Linux
 * schedstat): for processes that run a few milliseconds in a phase, below processCpuMicros's clock tick.
 */
export function scheduledCpuMicros(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
}

/**
 * CPU time the whole machine has spent busy and in total (all cores, every process, ours and the
 * neighbours'), in microseconds, from /proc/stat: what share of the machine a phase left to others.
 */
export function machineCpuMicros(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  // cpu user nice system idle iowait irq softirq steal …; idle and iowait are the unbusy ones.
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: ((total - idle) / TICKS_PER_SECOND) * 1e6, total: (total / TICKS_PER_SECOND) * 1e6 };
}
