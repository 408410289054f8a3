import { describe, expect, it } from 'vitest';
import { grantableApiKeyRoles, grantableRoles, mayManageUser, roleLabel, roleRank } from './roles.ts';

describe('role ordering', () => {
  it('ranks owner above admin above member above viewer, and staff below all', () => {
    expect(['owner', 'admin', 'member', 'viewer', 'agent'].map(roleRank)).toEqual([3, 2, 1, 0, -1]);
  });

  it('lets a caller grant users only roles up to their own', () => {
    expect(grantableRoles('owner')).toEqual(['owner', 'admin', 'member', 'viewer']);
    expect(grantableRoles('admin')).toEqual(['admin', 'member', 'viewer']);
    expect(grantableRoles('member')).toEqual(['member', 'viewer']);
    expect(grantableRoles('platform_admin')).toEqual([]);
  });

  it('never offers an owner API key', () => {
    expect(grantableApiKeyRoles('owner')).toEqual(['admin', 'member', 'viewer']);
    expect(grantableApiKeyRoles('admin')).toEqual(['admin', 'member', 'viewer']);
    expect(grantableApiKeyRoles('viewer')).toEqual(['viewer']);
  });

  it('lets a caller manage users whose role is not above their own', () => {
    expect(mayManageUser('admin', 'owner')).toBe(false);
    expect(mayManageUser('admin', 'admin')).toBe(true);
    expect(mayManageUser('owner', 'owner')).toBe(true);
    expect(mayManageUser('agent', 'viewer')).toBe(false);
  });

  it('labels roles for people', () => {
    expect(roleLabel('owner')).toBe('Owner');
    expect(roleLabel('platform_admin')).toBe('Platform admin');
  });
});
