import { describe, expect, it } from 'vitest';
import { formatBytes } from './attachments.ts';

describe('formatBytes', () => {
  it.each([
    [0, '0 bytes'],
    [1023, '1023 bytes'],
    [1024, '1.0 KB'],
    [48_213, '47 KB'],
    [5 * 1024 * 1024, '5.0 MB'],
    [25 * 1024 * 1024, '25 MB'],
  ])('%i → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
