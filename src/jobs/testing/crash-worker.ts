// A worker process for the crash test: runs a JobRunner whose 'test.block' handler announces
// itself on stdout and never returns, so the test can kill -9 it mid-job.
import { openDatabase } from '../../database/connection.ts';
import { JobRunner } from '../runner.ts';

const handle = openDatabase({
  databaseUrl: process.env.DATABASE_URL,
  dataDir: process.env.SECUREBASE_DATA_DIR ?? './data',
  ...(process.env.SECUREBASE_DB_SCHEMA ? { schema: process.env.SECUREBASE_DB_SCHEMA } : {}),
});
const runner = new JobRunner({
  handle,
  workerId: 'crash-worker',
  leaseMs: Number(process.env.LEASE_MS ?? 500),
  handlers: {
    'test.block': async (job) => {
      process.stdout.write(`IN_HANDLER ${job.id} ${job.attempts}\n`);
      await new Promise(() => {});
    },
  },
});
await runner.start();
process.stdout.write('READY\n');
