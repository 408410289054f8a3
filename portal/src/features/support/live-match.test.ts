import { describe, expect, it } from 'vitest';
import { notificationIsAbout } from './live-match.ts';

const ticket = { id: '0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b', reference: 'SB-1042' };

describe('notificationIsAbout', () => {
  it.each<[string, unknown, boolean]>([
    ['the customer link', { action_url: '/support/SB-1042' }, true],
    ['the CSAT link of a resolution', { action_url: '/support/SB-1042?csat=1' }, true],
    ['the staff link', { action_url: `/support/${ticket.id}` }, true],
    ['another ticket', { action_url: '/support/SB-10421' }, false],
    ['another page', { action_url: '/forecast#budgets' }, false],
    ['a sub-path', { action_url: '/support/SB-1042/extra' }, false],
    ['no link', { action_url: null }, false],
    ['not a notification', 'SB-1042', false],
  ])('%s', (_, data, expected) => {
    expect(notificationIsAbout(data, ticket)).toBe(expected);
  });
});
