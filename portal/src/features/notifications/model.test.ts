import { describe, expect, it } from 'vitest';
import { bellLabel, inboxQuery, notificationOf, portalPath, threadLabel, toastFor, unreadCountOf } from './model.ts';
import type { Notification } from './model.ts';

const notification = (change: Partial<Notification> = {}): Notification => ({
  id: '0193a5f2-7c1e-7d4a-9b1e-2f6c3d4e5a6b',
  customer_id: 'c1',
  user_id: 'u1',
  type: 'support',
  priority: 'high',
  title: 'SLA at risk',
  body: 'Due soon',
  action_url: '/support/SB-1001',
  source_event_id: null,
  group_key: 'ticket:SB-1001',
  group_count: 1,
  sequence: 7,
  created_at: '2026-11-28T09:00:00.000Z',
  updated_at: '2026-11-28T09:00:00.000Z',
  seen_at: null,
  read_at: null,
  archived_at: null,
  ...change,
});

describe('the bell', () => {
  it('is named with the unread count only when there is one', () => {
    expect(bellLabel(0)).toBe('Notifications');
    expect(bellLabel(3)).toBe('Notifications, 3 unread');
    expect(bellLabel(120)).toMatch(/Notifications.*\b120\b unread/);
  });
});

describe('toasts', () => {
  it('are raised for critical (10 s) and high (5 s) items only', () => {
    expect(toastFor(notification({ priority: 'critical' }))).toMatchObject({ tone: 'critical', durationMs: 10_000 });
    expect(toastFor(notification())).toMatchObject({ tone: 'high', durationMs: 5_000, href: '/support/SB-1001' });
    expect(toastFor(notification({ priority: 'medium' }))).toBeNull();
    expect(toastFor(notification({ priority: 'low' }))).toBeNull();
    expect(toastFor(notification({ read_at: '2026-11-28T09:01:00.000Z' }))).toBeNull();
  });

  it('come once per activity of a thread', () => {
    expect(toastFor(notification())?.id).toBe(toastFor(notification())?.id);
    expect(toastFor(notification({ group_count: 2 }))?.id).not.toBe(toastFor(notification())?.id);
  });
});

describe('links', () => {
  it('follow portal paths only', () => {
    expect(portalPath('/forecast#anomalies')).toBe('/forecast#anomalies');
    expect(portalPath('//evil.example')).toBeNull();
    expect(portalPath('/\\evil.example')).toBeNull();
    expect(portalPath('https://evil.example/')).toBeNull();
    expect(portalPath(null)).toBeNull();
  });
});

describe('the list filters', () => {
  it('map a tab and a view to query parameters', () => {
    expect(inboxQuery('all', 'all')).toEqual({});
    expect(inboxQuery('billing', 'unread')).toEqual({ type: 'billing', read: false });
    expect(inboxQuery('all', 'read')).toEqual({ read: true });
    expect(inboxQuery('support', 'archived')).toEqual({ type: 'support', archived: true });
  });
});

describe('stream events', () => {
  it('are read defensively', () => {
    expect(unreadCountOf({ unread_count: 4 })).toBe(4);
    expect(unreadCountOf({ unread_count: '4' })).toBeNull();
    expect(unreadCountOf(null)).toBeNull();
    expect(notificationOf(notification())?.id).toBe(notification().id);
    expect(notificationOf({ id: 1 })).toBeNull();
  });
});

describe('muted threads', () => {
  it('are named for people', () => {
    expect(threadLabel('cost-anomalies:2026-11-27')).toBe('Cost anomalies of 2026-11-27');
    expect(threadLabel('ticket:01a22171-fbe4-7300-a68d-842a1945a5f1')).toBe('Support ticket');
    expect(threadLabel('ticket:SB-1001')).toBe('Support ticket SB-1001');
    expect(threadLabel('budget:b1:2026-11')).toBe('Budget, 2026-11');
    expect(threadLabel('custom:thing')).toBe('custom:thing');
  });
});
