// No-op job throughput of one JobRunner on each dialect:
//   TEST_DATABASE_URL=postgres://... N=20000 C=64 node --import tsx src/jobs/testing/throughput.ts
import { createTestDatabase } from '../../testing/database.ts';
import { enqueueJobs } from '../enqueue.ts';
import { JobRunner } from '../runner.ts';
const N = Number(process.env.N ?? 20000);
for (const d of (process.env.D ?? (process.env.TEST_DATABASE_URL ? 'sqlite,postgres' : 'sqlite')).split(',') as (
  'sqlite' | 'postgres'
)[]) {
  const t = await createTestDatabase(d);
  let done = 0;
  const runner = new JobRunner({
    handle: t,
    pollIntervalMs: 10,
    concurrency: Number(process.env.C ?? 64),
    handlers: { noop: async () => void (done += 1) },
  });
  let s = Date.now();
  await enqueueJobs(
    t.db,
    Array.from({ length: N }, (_, n) => ({ name: 'noop', payload: { n } })),
    new Date(),
  );
  console.log(d, 'enqueue', Math.round(N / ((Date.now() - s) / 1000)), '/s');
  s = Date.now();
  await runner.start();
  while (done < N) await new Promise((r) => setTimeout(r, 5));
  await runner.stop();
  const sec = (Date.now() - s) / 1000;
  console.log(
    d,
    'run',
    Math.round(N / sec),
    '/s',
    'left',
    (
      await t.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst()
    )?.n,
  );
  await t.destroy();
}
