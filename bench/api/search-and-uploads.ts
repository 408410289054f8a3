// Search and attachment figures for bench/api/run.ts, each beside its baseline from the same run:
// - full-text `q` on 100,000 tickets (rare, medium and common words, a two-word query, and `q`
//   with a filter and a date sort) beside the unfiltered list-50, one request at a time (latency,
//   not queueing: the SQLite reads of one process are serial anyway);
// - 1 MiB uploads (multipart, streamed to disk, hashed, type-checked, fsynced, row committed)
//   beside plain 1 MiB file writes with fsync at the same concurrency, in MB/s.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type autocannon from 'autocannon';

interface Seeded {
  port: number;
  apiKey: string;
  terms: { rare: string; medium: string; common: string; pair: string };
  ticketIds: string[];
}

type Measure = (label: string, options: autocannon.Options) => Promise<autocannon.Result>;

const UPLOAD_BYTES = 1024 * 1024;
const UPLOAD_CONCURRENCY = 4;

function startSeeded(tickets: number): Promise<{ seeded: Seeded; stop: () => void }> {
  const child = fork(new URL('./seeded-server.ts', import.meta.url), [String(tickets)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (seeded: Seeded) => resolve({ seeded, stop: () => child.kill('SIGTERM') }));
    child.once('exit', (code) => reject(new Error(`seeded server exited with ${code}`)));
  });
}

/** A multipart body of one 1 MiB PNG file (padded with random bytes, so nothing compresses or dedupes). */
function uploadBody(boundary: string): Buffer {
  // A whole 1×1 PNG first (detection reads its chunks up to the image data), then random padding.
  const png = Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4500000000049454e44ae426082',
    'hex',
  );
  const file = Buffer.concat([png, randomBytes(UPLOAD_BYTES - png.length)]);
  return Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

/** Plain 1 MiB writes with fsync, `concurrency` at a time, for `seconds`: the disk's own pace. */
async function plainWriteMbPerSecond(seconds: number, concurrency: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'securebase-bench-write-'));
  const data = randomBytes(UPLOAD_BYTES);
  let written = 0;
  const deadline = Date.now() + seconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        for (let n = 0; Date.now() < deadline; n += 1) {
          const handle = await open(join(dir, `${worker}-${n}`), 'wx');
          await handle.writeFile(data);
          await handle.sync();
          await handle.close();
          written += 1;
        }
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return written / seconds;
}

/** Runs the search and upload scenarios and prints their figures. */
export async function benchSearchAndUploads(measure: Measure, seconds: number, tickets = 100_000): Promise<void> {
  console.log(`\nsearch and uploads: ${tickets.toLocaleString('en')} tickets, 1 connection for the lists`);
  const { seeded, stop } = await startSeeded(tickets);
  try {
    const base = `http://127.0.0.1:${seeded.port}/v1/support/tickets`;
    const headers = { authorization: `Bearer ${seeded.apiKey}` };
    const single = { headers, connections: 1, duration: seconds };
    await measure('baseline: list-50, no filter', { url: `${base}?limit=50`, ...single });
    const { rare, medium, common, pair } = seeded.terms;
    for (const [label, q] of [
      [`rare word (0.2 %: ${rare})`, rare],
      [`medium word (2 %: ${medium})`, medium],
      [`common word (25 %: ${common})`, common],
      ['two words (2 % and 5 %)', pair],
    ] as const) {
      await measure(`search q, ${label}`, { url: `${base}?limit=50&q=${encodeURIComponent(q)}`, ...single });
    }
    await measure('search q, medium word, status + -created_at', {
      url: `${base}?limit=50&status=open&sort=-created_at&q=${encodeURIComponent(medium)}`,
      ...single,
    });

    const boundary = 'securebase-bench-boundary';
    const body = uploadBody(boundary);
    let next = 0;
    const uploads = await measure(`upload 1 MiB at ${UPLOAD_CONCURRENCY} connections`, {
      url: base,
      headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
      method: 'POST',
      body,
      connections: UPLOAD_CONCURRENCY,
      duration: seconds,
      // A ticket takes at most 100 files: spread the uploads over many tickets.
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            path: `/v1/support/tickets/${seeded.ticketIds[next++ % seeded.ticketIds.length]}/attachments`,
          }),
        },
      ],
    });
    const uploadRate = uploads.requests.average;
    const plainRate = await plainWriteMbPerSecond(seconds, UPLOAD_CONCURRENCY);
    console.log(
      `uploads ${uploadRate.toFixed(1)} MiB/s vs plain write+fsync ${plainRate.toFixed(1)} MiB/s (${Math.round((100 * uploadRate) / plainRate)} %)`,
    );
  } finally {
    stop();
  }
}
