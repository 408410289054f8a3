import { describe, expect, it } from 'vitest';
import { safeNext } from './login-page.tsx';
import { setupTokenFrom } from './setup-page.tsx';

describe('after login', () => {
  it('follows only paths of the portal', () => {
    expect(safeNext('/forecast?months=6')).toBe('/forecast?months=6');
    expect(safeNext(null)).toBe('/support');
    expect(safeNext('https://evil.example/')).toBe('/support');
    expect(safeNext('//evil.example/')).toBe('/support');
    expect(safeNext('/\\evil.example')).toBe('/support');
  });
});

describe('setup link', () => {
  it('reads the token from the fragment', () => {
    expect(setupTokenFrom('#token=abc')).toBe('abc');
    expect(setupTokenFrom('')).toBeNull();
  });
});
