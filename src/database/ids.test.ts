import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUuid, prefixedId, uuidv7 } from './ids.ts';

describe('ids', () => {
  it('makes version-7 UUIDs that increase strictly, even within one millisecond', () => {
    const ids = Array.from({ length: 2000 }, () => uuidv7(1_800_000_000_000));
    for (const id of ids) assert.ok(isUuid(id) && id[14] === '7', id);
    for (let i = 1; i < ids.length; i++) assert.ok((ids[i] as string) > (ids[i - 1] as string));
    assert.ok(uuidv7(1_800_000_000_001) > (ids[ids.length - 1] as string));
  });

  it('prefixes ids without dashes', () => {
    assert.match(prefixedId('evt'), /^evt_[0-9a-f]{32}$/);
  });
});
