import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DialectName } from '../database/adapter.ts';
import { openDatabase } from '../database/connection.ts';
import type { DatabaseHandle } from '../database/connection.ts';
import { loadKeyRing } from '../crypto/key-ring.ts';
import { migrateToLatest } from '../database/migrations/index.ts';

/** The dialects every storage suite runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const TEST_DIALECTS: DialectName[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/** A migrated, empty database for one test suite, plus the settings another process needs to open it. */
export interface TestDatabase extends DatabaseHandle {
  dialect: DialectName;
  /** Environment for a child process (or `openDatabase`) reaching the same database. */
  env: { SECUREBASE_DATA_DIR: string; DATABASE_URL?: string; SECUREBASE_DB_SCHEMA?: string };
  /** Closes the handle and deletes the database (SQLite directory or PostgreSQL schema). */
  destroy(): Promise<void>;
}

/** The migration context of a test database: the key file a test server over `dataDir` also loads. */
export function migrationContext(dataDir: string) {
  return { keyRing: () => loadKeyRing({ masterKey: undefined, previousMasterKeys: [], dataDir }) };
}

/**
 * Creates a fresh database: a temporary SQLite directory or a new PostgreSQL schema, migrated unless
 * `migrate: false` (for a test that runs `securebase migrate` itself).
 */
export async function createTestDatabase(
  dialect: DialectName,
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const migrate = options.migrate ?? true;
  const dataDir = mkdtempSync(join(tmpdir(), 'securebase-test-'));
  if (dialect === 'sqlite') {
    const handle = openDatabase({ dataDir });
    if (migrate) await migrateToLatest(handle.db, migrationContext(dataDir));
    return {
      ...handle,
      dialect,
      env: { SECUREBASE_DATA_DIR: dataDir },
      destroy: async () => {
        await handle.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const handle = openDatabase({ databaseUrl: url, dataDir, schema, poolSize: 20 });
  if (migrate) await migrateToLatest(handle.db, migrationContext(dataDir));
  return {
    ...handle,
    dialect,
    env: { SECUREBASE_DATA_DIR: dataDir, DATABASE_URL: url, SECUREBASE_DB_SCHEMA: schema },
    destroy: async () => {
      await handle.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleanup.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
