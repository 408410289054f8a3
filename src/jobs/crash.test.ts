import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createTestDatabase, TEST_DIALECTS } from '../testing/database.ts';
import { enqueueJob } from './enqueue.ts';
import { JobRunner } from './runner.ts';
import { allJobs, waitFor } from './testing/helpers.ts';
import type { ClaimedJob } from './types.ts';

const fixture = fileURLToPath(new URL('./testing/crash-worker.ts', import.meta.url));

for (const dialect of TEST_DIALECTS) {
  describe(`a worker killed mid-job on ${dialect}`, () => {
    it('has its job picked up again after the lease expires', { timeout: 300_000 }, async () => {
      const database = await createTestDatabase(dialect);
      const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
        env: { ...process.env, ...database.env, LEASE_MS: '500' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        const jobId = await enqueueJob(database.db, { name: 'test.block', payload: { n: 1 } }, new Date());
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        // tsx compiles the child's sources on start: slow on a busy machine.
        await waitFor(() => output.includes('IN_HANDLER'), 180_000, 'the child to enter the handler');
        assert.match(output, new RegExp(`IN_HANDLER ${jobId} 1`));
        const [claimed] = await allJobs(database.db);
        assert.equal(claimed?.status, 'running');
        assert.equal(claimed?.locked_by, 'crash-worker');

        const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
        child.kill('SIGKILL');
        assert.equal(await exited, 'SIGKILL');

        const ran: ClaimedJob[] = [];
        const runner = new JobRunner({
          handle: database,
          leaseMs: 500,
          pollIntervalMs: 20,
          handlers: { 'test.block': async (job) => void ran.push(job) },
        });
        await runner.start();
        try {
          await waitFor(() => ran.length === 1, 60_000, 'the job to run again');
          await waitFor(async () => (await allJobs(database.db)).length === 0, 60_000, 'the job row to be deleted');
        } finally {
          await runner.stop();
        }
        assert.equal(ran[0]?.id, jobId);
        assert.equal(ran[0]?.attempts, 2, 'the killed run counted as an attempt');
        assert.deepEqual(ran[0]?.payload, { n: 1 });
      } finally {
        child.kill('SIGKILL');
        await database.destroy();
      }
    });
  });
}
