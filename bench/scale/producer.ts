// The producer of bench/scale: requests spread evenly over the API processes with undici. A step
// stops sending at its deadline and then waits for every request in flight, so each request sent is
// counted and its whole cost falls inside the step (a load generator that drops its connections at
// the deadline leaves up to one request per connection running on after it, uncounted).
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';

export interface ApiRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export interface LoadResult {
  /** 2xx answers. */
  ok: number;
  failed: number;
  /** Failures by status code or error code. */
  failures: Map<string, number>;
  /** From the first request to the last answer. */
  seconds: number;
  /** Per request, ms, sorted. */
  latencies: number[];
}

/** One pool per API process, `connections` in all, sending with the tenant's API key. */
export function producer(ports: number[], apiKey: string, connections: number) {
  const pools = ports.map(
    (port) => new Pool(`http://127.0.0.1:${port}`, { connections: Math.ceil(connections / ports.length) }),
  );
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };

  /** Sends `request` for `seconds`: closed loop over the connections, or open loop at `perSecond`. */
  async function run(
    request: ApiRequest,
    options: { seconds: number; perSecond?: number; connections?: number },
  ): Promise<LoadResult> {
    const result: LoadResult = { ok: 0, failed: 0, failures: new Map(), seconds: 0, latencies: [] };
    const fail = (reason: string) => {
      result.failed += 1;
      result.failures.set(reason, (result.failures.get(reason) ?? 0) + 1);
    };
    const started = performance.now();
    const deadline = started + options.seconds * 1_000;
    let sent = 0;
    const send = async () => {
      const pool = pools[sent++ % pools.length] as Pool;
      const t = performance.now();
      try {
        const response = await pool.request({
          method: request.method,
          path: request.path,
          headers,
          body: request.body,
        });
        await response.body.dump();
        if (response.statusCode >= 200 && response.statusCode < 300) result.ok += 1;
        else fail(String(response.statusCode));
      } catch (error) {
        fail((error as { code?: string }).code ?? String(error));
      }
      result.latencies.push(performance.now() - t);
    };
    if (options.perSecond === undefined) {
      // Closed loop: each caller sends its next request when the previous one is answered.
      await Promise.all(
        Array.from({ length: options.connections ?? connections }, async () => {
          while (performance.now() < deadline) await send();
        }),
      );
    } else {
      // Open loop at a fixed rate, whatever the answers' pace.
      const inFlight: Promise<void>[] = [];
      while (performance.now() < deadline) {
        const due = Math.floor(((performance.now() - started) / 1_000) * options.perSecond);
        while (sent < due) inFlight.push(send());
        await sleep(5);
      }
      await Promise.all(inFlight);
    }
    result.seconds = (performance.now() - started) / 1_000;
    result.latencies.sort((a, b) => a - b);
    return result;
  }
  return { run, close: () => Promise.all(pools.map((pool) => pool.close())) };
}

/** The `q` quantile of sorted values (NaN when there are none). */
export function percentile(sorted: number[], q: number): number {
  return sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number) : NaN;
}
