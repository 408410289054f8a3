import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { AppError } from '../errors/app-error.ts';
import { pageQuery, toPage } from './pagination.ts';
import { createTestDatabase } from '../testing/database.ts';

describe('pagination helper', () => {
  const sort = { name: 'created', expression: sql`created_at`, idColumn: 'id', direction: 'desc' as const };

  it('builds next_cursor from the last row and reports has_more', () => {
    const rows = [1, 2, 3].map((n) => ({ id: `id${n}`, created_at: `2026-01-0${n}` }));
    const page = toPage(rows, sort, 2, (row) => ({ value: row.created_at, id: row.id }));
    assert.equal(page.items.length, 2);
    assert.equal(page.has_more, true);
    assert.deepEqual(JSON.parse(Buffer.from(page.next_cursor as string, 'base64url').toString()), [
      'created',
      '2026-01-02',
      'id2',
    ]);
    assert.equal(toPage(rows, sort, 5, (row) => ({ value: row.created_at, id: row.id })).next_cursor, null);
  });

  it('rejects cursors it could not have written, naming the cursor field', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      for (const cursor of [
        'garbage',
        encode(['other', 'x', 'id']),
        encode(['created', 'a\u0000b', 'id']),
        encode(['created', 'x', 'bad id']),
        encode(['created', { a: 1 }, 'id']),
        encode(['created', [1], 'id']),
      ]) {
        assert.throws(
          () => pageQuery(database.db.selectFrom('tickets').selectAll(), sort, { cursor }),
          (error: unknown) =>
            error instanceof AppError && error.status === 400 && error.details.errors?.[0]?.field === 'cursor',
          cursor,
        );
      }
    } finally {
      await database.destroy();
    }
  });
});
