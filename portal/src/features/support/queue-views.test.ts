import { describe, expect, it } from 'vitest';
import { viewOf } from './queue-views.ts';

describe('viewOf', () => {
  it('reads a known view and falls back to unassigned', () => {
    expect(viewOf('breached')).toBe('breached');
    expect(viewOf('all')).toBe('all');
    expect(viewOf(null)).toBe('unassigned');
    expect(viewOf('everything')).toBe('unassigned');
  });
});
