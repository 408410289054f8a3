// CPU time of another process (the server under test), for "CPU per unit of work": on a shared
// machine the throughput moves with the neighbours, the CPU a request costs much less.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User plus system CPU time `pid` has used so far, in microseconds (Linux /proc). */
export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1e6;
}

/**
 * CPU time of every PostgreSQL process on this machine (backends, WAL writer, checkpointer) so far,
 * in microseconds by pid: the database's share of a unit of work when the bench has the server to
 * itself. Take the difference of two readings with {@link cpuGrowth}.
 */
export function postgresCpuMicros(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') {
        byPid.set(Number(entry), processCpuMicros(Number(entry)));
      }
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return byPid;
}

/**
 * CPU used between two readings by pid: a process that appeared in between counts from zero; one
 * that ended in between is left out (its last share is unknown), so the sum never goes negative.
 */
export function cpuGrowth(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, micros] of after) sum += micros - (before.get(pid) ?? 0);
  return sum;
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

/** Local ports of the TCP connections `pid` holds to `remotePort` (Linux /proc). */
export function tcpPortsTo(pid: number, remotePort: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const socket = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (socket) inodes.add(socket[1] as string);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, remote, , , , , , , inode] = line.trim().split(/\s+/);
      if (!local || !remote || !inode || !inodes.has(inode)) continue;
      if (parseInt(remote.split(':')[1] ?? '', 16) === remotePort) ports.push(parseInt(local.split(':')[1] ?? '', 16));
    }
  }
  return ports;
}
