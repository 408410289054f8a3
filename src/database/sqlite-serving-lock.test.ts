import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { claimSqliteDatabase, SqliteInUseError } from './sqlite-serving-lock.ts';

const BIN = fileURLToPath(new URL('../../bin/securebase.js', import.meta.url));
const LOCK_MODULE = fileURLToPath(new URL('./sqlite-serving-lock.ts', import.meta.url));

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('one serving process per SQLite database', () => {
  it('refuses `securebase worker` as a second process, pointing to PostgreSQL', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-lock-'));
    const held = claimSqliteDatabase(dataDir);
    try {
      const child = spawn(process.execPath, [BIN, 'worker'], {
        env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', SECUREBASE_DATA_DIR: dataDir },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      try {
        assert.equal(await exited(child), 1);
      } finally {
        child.kill('SIGKILL');
      }
      assert.match(stderr, /in use by another securebase serve or worker process/);
      assert.match(stderr, /use PostgreSQL: set DATABASE_URL/);
    } finally {
      held.release();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('is held until released, in this process too', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-lock-'));
    try {
      const first = claimSqliteDatabase(dataDir);
      assert.throws(() => claimSqliteDatabase(dataDir), SqliteInUseError);
      first.release();
      claimSqliteDatabase(dataDir).release();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('is freed when its process is killed with SIGKILL', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sb-lock-'));
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { claimSqliteDatabase } = await import(${JSON.stringify(LOCK_MODULE)});
claimSqliteDatabase(${JSON.stringify(dataDir)}); console.log('claimed'); setInterval(() => {}, 60_000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('claimed') && resolve());
        holder.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
      });
      assert.throws(() => claimSqliteDatabase(dataDir), SqliteInUseError);
      const gone = exited(holder);
      holder.kill('SIGKILL');
      await gone;
      claimSqliteDatabase(dataDir).release();
    } finally {
      holder.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
