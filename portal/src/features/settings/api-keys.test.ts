import { describe, expect, it } from 'vitest';
import { apiKeyState, expiryFromDate, localDateInput, validateApiKeyForm } from './api-keys.ts';

const NOW = new Date(2026, 10, 28, 12, 0, 0);

describe('API key state', () => {
  it('is revoked, expired or active', () => {
    const now = NOW.getTime();
    expect(apiKeyState({ revoked_at: '2026-11-01T00:00:00Z', expires_at: null }, now)).toBe('revoked');
    expect(apiKeyState({ revoked_at: null, expires_at: new Date(now - 1).toISOString() }, now)).toBe('expired');
    expect(apiKeyState({ revoked_at: null, expires_at: new Date(now + 1).toISOString() }, now)).toBe('active');
    expect(apiKeyState({ revoked_at: null, expires_at: null }, now)).toBe('active');
  });
});

describe('the expiry date', () => {
  it('ends with the day picked, in local time', () => {
    const expiry = expiryFromDate('2026-12-05') as string;
    const local = new Date(expiry);
    expect([local.getFullYear(), local.getMonth(), local.getDate(), local.getHours()]).toEqual([2026, 11, 5, 23]);
    expect(expiryFromDate('')).toBeNull();
  });

  it('formats today for the date input', () => {
    expect(localDateInput(NOW)).toBe('2026-11-28');
  });
});

describe('the create form', () => {
  it('requires a name of at most 100 characters', () => {
    expect(validateApiKeyForm({ name: '  ', expires: '' }, NOW).name).toBe('Give the key a name');
    expect(validateApiKeyForm({ name: 'x'.repeat(101), expires: '' }, NOW).name).toBe('At most 100 characters');
    expect(validateApiKeyForm({ name: 'CI', expires: '' }, NOW)).toEqual({});
  });

  it('accepts today or later as expiry, not the past', () => {
    expect(validateApiKeyForm({ name: 'CI', expires: '2026-11-28' }, NOW)).toEqual({});
    expect(validateApiKeyForm({ name: 'CI', expires: '2026-11-27' }, NOW).expires).toBe('Pick a date from today on');
  });
});
