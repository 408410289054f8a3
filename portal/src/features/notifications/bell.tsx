import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, data } from '../../api/client.ts';
import { problemDetail } from '../../api/problem.ts';
import { badgeCount, formatRelative } from '../../ui/format.ts';
import { DropdownMenu } from '../../ui/menu.tsx';
import { useMarkAllRead, useNotificationsLive, useOpenNotification, useUnreadCount } from './inbox-hooks.ts';
import { bellLabel, notificationKeys, portalPath, TYPE_LABELS } from './model.ts';
import type { Notification } from './model.ts';
import './notifications.css';

const NEWEST = 10;

/**
 * The header's bell: the unread count (live from the stream), and a menu of the ten newest
 * notifications with "Mark all read" and "See all". Radix gives the menu its arrow keys, Escape
 * and the focus back on the bell when it closes.
 */
export function NotificationBell() {
  useNotificationsLive();
  const unread = useUnreadCount().data ?? 0;
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const openNotification = useOpenNotification();
  const markAll = useMarkAllRead();
  const newest = useQuery({
    queryKey: notificationKeys.newest,
    queryFn: async () => data(await api.GET('/v1/notifications', { params: { query: { limit: NEWEST } } })),
    enabled: open,
  });

  const go = (notification: Notification) => {
    openNotification(notification);
    void navigate(portalPath(notification.action_url) ?? '/notifications');
  };

  return (
    // Not modal: a modal menu hides the page with aria-hidden while its links stay focusable.
    <DropdownMenu.Root open={open} onOpenChange={setOpen} modal={false}>
      <DropdownMenu.Trigger className="btn btn-ghost bell" aria-label={bellLabel(unread)}>
        <svg className="bell-icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
          />
        </svg>
        {unread > 0 && (
          <span className="bell-badge" aria-hidden="true">
            {badgeCount(unread)}
          </span>
        )}
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className="menu bell-menu" align="end" sideOffset={6}>
          <DropdownMenu.Label className="menu-label bell-menu-title">
            <strong>Notifications</strong>
            <span className="muted">{unread > 0 ? `${unread} unread` : 'All read'}</span>
          </DropdownMenu.Label>
          <DropdownMenu.Separator className="menu-separator" />
          {/* Only the items scroll: "Mark all read" and "See all" stay in view. */}
          <div className="bell-menu-items">
            {newest.isPending ? (
              <p className="bell-menu-note muted">Loading…</p>
            ) : newest.isError ? (
              <p className="bell-menu-note action-error">{problemDetail(newest.error)}</p>
            ) : newest.data.notifications.length === 0 ? (
              <p className="bell-menu-note muted">No notifications yet.</p>
            ) : (
              newest.data.notifications.map((notification) => (
                <DropdownMenu.Item
                  key={notification.id}
                  className={notification.read_at ? 'menu-item bell-item' : 'menu-item bell-item bell-item-unread'}
                  onSelect={() => go(notification)}
                >
                  <span className="bell-item-title">
                    {!notification.read_at && <span className="visually-hidden">Unread: </span>}
                    {notification.title}
                  </span>
                  <span className="muted bell-item-meta">
                    {TYPE_LABELS[notification.type]} · {formatRelative(notification.updated_at)}
                  </span>
                </DropdownMenu.Item>
              ))
            )}
          </div>
          <DropdownMenu.Separator className="menu-separator" />
          <DropdownMenu.Item
            className="menu-item"
            disabled={unread === 0 || markAll.isPending}
            // Stays open: the person sees the items turn read.
            onSelect={(event) => {
              event.preventDefault();
              markAll.mutate(undefined);
            }}
          >
            Mark all read
          </DropdownMenu.Item>
          <DropdownMenu.Item className="menu-item" onSelect={() => void navigate('/notifications')}>
            See all
          </DropdownMenu.Item>
          {markAll.isError && <p className="bell-menu-note action-error">{problemDetail(markAll.error)}</p>}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
