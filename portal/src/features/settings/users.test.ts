import { describe, expect, it } from 'vitest';
import { validateInvite } from './users.ts';

describe('the invite form', () => {
  it('requires an email address and a name', () => {
    expect(validateInvite({ email: '', name: '' })).toEqual({
      email: 'Enter their email address',
      name: 'Enter their name',
    });
    expect(validateInvite({ email: 'ada', name: 'Ada' }).email).toBe('Enter an email address like ada@example.com');
    expect(validateInvite({ email: 'ada@example.com', name: 'x'.repeat(201) }).name).toBe('At most 200 characters');
    expect(validateInvite({ email: ' ada@example.com ', name: ' Ada ' })).toEqual({});
  });
});
