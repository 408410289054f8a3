import { describe, expect, it } from 'vitest';
import { authorName } from './people.ts';

const agents = new Map([['agent-1', 'Dana Agent']]);
const customer = { userId: 'user-1', isStaff: false };
const staff = { userId: 'agent-2', isStaff: true };

describe('authorName', () => {
  it.each<[string, Parameters<typeof authorName>[0], Parameters<typeof authorName>[1], string]>([
    ['yourself', { id: 'user-1', role: 'customer' }, customer, 'You'],
    ['a colleague, to a customer', { id: 'user-9', role: 'customer' }, customer, 'Your team'],
    ['an agent, to a customer', { id: 'agent-1', role: 'staff' }, customer, 'SecureBase support'],
    ['an agent, to staff', { id: 'agent-1', role: 'staff' }, staff, 'Dana Agent'],
    ['an unknown staff member, to staff', { id: 'agent-9', role: 'staff' }, staff, 'SecureBase support'],
    ['a customer, to staff', { id: 'user-1', role: 'customer' }, staff, 'Customer'],
    ['the system', { id: null, role: 'system' }, staff, 'SecureBase'],
  ])('%s', (_, author, viewer, name) => {
    expect(authorName(author, viewer, agents)).toBe(name);
  });
});
