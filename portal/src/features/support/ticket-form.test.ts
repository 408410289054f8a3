import { describe, expect, it } from 'vitest';
import { TICKET_LIMITS, validateTicketForm } from './ticket-form.ts';

const valid = { subject: 'VPN drops hourly', description: 'The tunnel to eu-west-1 drops every hour.' };

describe('validateTicketForm', () => {
  it('accepts what the server accepts', () => {
    expect(validateTicketForm(valid)).toEqual({});
    expect(validateTicketForm({ subject: 'x'.repeat(5), description: 'y'.repeat(20) })).toEqual({});
    expect(
      validateTicketForm({
        subject: 'x'.repeat(TICKET_LIMITS.subject.max),
        description: 'y'.repeat(TICKET_LIMITS.description.max),
      }),
    ).toEqual({});
  });

  it.each<[string, Partial<typeof valid>, Record<string, string>]>([
    ['an empty subject', { subject: '' }, { subject: 'Subject is required' }],
    ['a short subject', { subject: 'VPN' }, { subject: 'Subject needs at least 5 characters (3 so far)' }],
    [
      'a subject short once trimmed',
      { subject: '  abcd   ' },
      { subject: 'Subject needs at least 5 characters (4 so far)' },
    ],
    ['a long subject', { subject: 'x'.repeat(201) }, { subject: 'Subject may have at most 200 characters (201 now)' }],
    [
      'a short description',
      { description: 'Broken.' },
      { description: 'Description needs at least 20 characters (7 so far)' },
    ],
    ['a blank description', { description: '   \n ' }, { description: 'Description is required' }],
  ])('refuses %s', (_, change, errors) => {
    expect(validateTicketForm({ ...valid, ...change })).toEqual(errors);
  });

  it('counts an emoji once, like the server', () => {
    expect(validateTicketForm({ ...valid, subject: '🔥🔥🔥🔥🔥' })).toEqual({});
  });
});
