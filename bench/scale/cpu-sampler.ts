// CPU time of every process taking part in a bench/scale step, read from /proc once a second: the
// product's processes, the receiver and the producer by pid, and PostgreSQL's backends by the
// application_name of the process they serve (so the database's share splits into "for the API"
// and "for the workers"), its background processes apart, and the whole machine for the neighbours.
import { cpuGrowth, machineCpuMicros, postgresCpuMicros, processCpuMicros } from '../process-cpu.ts';

export interface Backend {
  pid: number;
  /** The application_name of a client connection; null for PostgreSQL's own processes. */
  applicationName: string | null;
}

export interface StepCpu {
  wallMicros: number;
  /** CPU microseconds over the step by label (a process, or `postgres for <process>`, or `postgres background`). */
  byLabel: Map<string, number>;
  /** Each single process's CPU microseconds, for saturation (one process at most one core per thread). */
  byProcess: { label: string; micros: number }[];
  /** The most client connections seen at once, by the process they serve, or `other sessions`. */
  peakConnections: Map<string, number>;
  /** Every postgres process on the machine, other sessions' included. */
  postgresAllMicros: number;
  machineBusyMicros: number;
  machineTotalMicros: number;
}

interface Seen {
  label: string;
  first: number;
  last: number;
}

/**
 * Samples CPU from `start()` to `stop()`. `processes` are the bench's own (label, pid); `backends`
 * lists PostgreSQL's processes, `backendLabel` names the one serving an application, or null
 * when it serves none of ours.
 */
export function sampleCpu(
  processes: { label: string; pid: number }[],
  backends: () => Promise<Backend[]>,
  backendLabel: (applicationName: string) => string | null,
) {
  const seen = new Map<number, Seen>();
  const read = (pid: number, label: string) => {
    try {
      const micros = processCpuMicros(pid);
      const entry = seen.get(pid);
      if (entry) entry.last = micros;
      else seen.set(pid, { label, first: micros, last: micros });
    } catch {
      // The process ended since the last sample: its time up to then is kept.
    }
  };
  const peakConnections = new Map<string, number>();
  const sample = async () => {
    for (const { label, pid } of processes) read(pid, label);
    const connections = new Map<string, number>();
    for (const backend of await backends()) {
      if (backend.applicationName === null) {
        read(backend.pid, 'postgres background');
        continue;
      }
      const label = backendLabel(backend.applicationName);
      if (label !== null) read(backend.pid, label);
      const client = label ?? 'other sessions';
      connections.set(client, (connections.get(client) ?? 0) + 1);
    }
    for (const [client, count] of connections)
      peakConnections.set(client, Math.max(count, peakConnections.get(client) ?? 0));
  };
  const startedAt = performance.now();
  const postgresBefore = postgresCpuMicros();
  const machineBefore = machineCpuMicros();
  let sampling = sample();
  const timer = setInterval(() => {
    sampling = sampling.then(sample);
  }, 1_000);

  return {
    async stop(): Promise<StepCpu> {
      clearInterval(timer);
      await sampling;
      await sample();
      const machine = machineCpuMicros();
      const byLabel = new Map<string, number>();
      const byProcess: { label: string; micros: number }[] = [];
      for (const { label, first, last } of seen.values()) {
        byLabel.set(label, (byLabel.get(label) ?? 0) + last - first);
        byProcess.push({ label, micros: last - first });
      }
      return {
        wallMicros: (performance.now() - startedAt) * 1_000,
        byLabel,
        byProcess,
        peakConnections,
        postgresAllMicros: cpuGrowth(postgresBefore, postgresCpuMicros()),
        machineBusyMicros: machine.busy - machineBefore.busy,
        machineTotalMicros: machine.total - machineBefore.total,
      };
    },
  };
}
