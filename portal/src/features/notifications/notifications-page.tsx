import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, data } from '../../api/client.ts';
import { SelectField } from '../../ui/field.tsx';
import { formatDateTime, formatRelative } from '../../ui/format.ts';
import { PageHeader } from '../../ui/page.tsx';
import { CursorPagination, useCursorPages } from '../../ui/pagination.tsx';
import { ActionError, EmptyState, ErrorState, Loading } from '../../ui/states.tsx';
import { Tabs } from '../../ui/tabs.tsx';
import { useChangeNotification, useMarkAllRead, useOpenNotification, useUnreadCount } from './inbox-hooks.ts';
import {
  INBOX_VIEWS,
  inboxQuery,
  isNotificationType,
  NOTIFICATION_TYPES,
  notificationKeys,
  portalPath,
  PRIORITY_BADGE,
  TYPE_LABELS,
} from './model.ts';
import type { InboxView, Notification, NotificationType } from './model.ts';
import './notifications.css';

const PAGE_SIZE = 20;
type Tab = NotificationType | 'all';

const EMPTY_TITLES: Record<InboxView, string> = {
  all: 'No notifications here',
  unread: 'Nothing unread',
  read: 'Nothing read yet',
  archived: 'Nothing archived',
};

export default function NotificationsPage() {
  const [tab, setTab] = useState<Tab>('all');
  const [view, setView] = useState<InboxView>('all');
  const pages = useCursorPages();
  const unread = useUnreadCount().data ?? 0;
  const byType = useQuery({
    queryKey: notificationKeys.unreadByType,
    queryFn: async () =>
      data(await api.GET('/v1/notifications/unread-count', { params: { query: { by: 'type' } } })).by_type,
  });
  const markAll = useMarkAllRead();
  const tabUnread = tab === 'all' ? unread : (byType.data?.[tab] ?? 0);

  const chooseTab = (value: string) => {
    setTab(value === 'all' || isNotificationType(value) ? value : 'all');
    pages.reset();
    markAll.reset();
  };

  return (
    <>
      <PageHeader
        title="Notifications"
        description="Everything SecureBase told you, newest activity first."
        actions={
          <button
            type="button"
            className="btn"
            disabled={tabUnread === 0 || markAll.isPending}
            onClick={() => markAll.mutate(tab === 'all' ? undefined : tab)}
          >
            {tab === 'all' ? 'Mark all read' : `Mark all ${TYPE_LABELS[tab].toLowerCase()} read`}
          </button>
        }
      />
      <ActionError error={markAll.error} />
      <Tabs.Root value={tab} onValueChange={chooseTab}>
        <Tabs.List className="tabs-list" aria-label="Notification types">
          <Tabs.Trigger className="tabs-trigger" value="all">
            All <TabCount count={unread} />
          </Tabs.Trigger>
          {NOTIFICATION_TYPES.map((type) => (
            <Tabs.Trigger key={type} className="tabs-trigger" value={type}>
              {TYPE_LABELS[type]} <TabCount count={byType.data?.[type] ?? 0} />
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        <div className="toolbar">
          <SelectField
            label="Show"
            value={view}
            onChange={(event) => {
              setView(event.target.value as InboxView);
              pages.reset();
            }}
          >
            {INBOX_VIEWS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </SelectField>
        </div>
        {(['all', ...NOTIFICATION_TYPES] as Tab[]).map((value) => (
          <Tabs.Content key={value} value={value}>
            {value === tab && <InboxList tab={tab} view={view} pages={pages} />}
          </Tabs.Content>
        ))}
      </Tabs.Root>
    </>
  );
}

/** A tab's unread count: the number is shown, "unread" is read out with it. */
function TabCount({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <span className="badge badge-info tab-count">
      {count}
      <span className="visually-hidden"> unread</span>
    </span>
  );
}

function InboxList({ tab, view, pages }: { tab: Tab; view: InboxView; pages: ReturnType<typeof useCursorPages> }) {
  const filter = inboxQuery(tab, view);
  const list = useQuery({
    queryKey: [...notificationKeys.lists, filter, pages.cursor],
    queryFn: async () =>
      data(
        await api.GET('/v1/notifications', {
          params: { query: { ...filter, limit: PAGE_SIZE, cursor: pages.cursor } },
        }),
      ),
    // Live changes refetch the list; the rows on screen stay until the new ones are in.
    placeholderData: (previous) => previous,
  });

  if (list.isPending) return <Loading minHeight={320} />;
  if (list.isError) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  const { notifications, next_cursor: nextCursor } = list.data;
  if (notifications.length === 0 && pages.pageNumber === 1)
    return (
      <EmptyState title={EMPTY_TITLES[view]}>
        <p>New notifications appear here as they arrive.</p>
      </EmptyState>
    );
  return (
    <>
      <ul className="inbox" aria-label="Notifications">
        {notifications.map((notification) => (
          <InboxItem key={notification.id} notification={notification} />
        ))}
      </ul>
      <CursorPagination pages={pages} nextCursor={nextCursor} label="Notifications" />
    </>
  );
}

function InboxItem({ notification }: { notification: Notification }) {
  const change = useChangeNotification();
  const openNotification = useOpenNotification();
  const href = portalPath(notification.action_url);
  const isRead = notification.read_at !== null;
  const isArchived = notification.archived_at !== null;
  const title = notification.title;

  return (
    <li className={isRead ? 'inbox-item card' : 'inbox-item card inbox-item-unread'}>
      <div className="inbox-item-main">
        <div className="inbox-item-meta">
          {!isRead && (
            <span className="unread-dot" title="Unread">
              <span className="visually-hidden">Unread</span>
            </span>
          )}
          <span className={PRIORITY_BADGE[notification.priority]}>{notification.priority}</span>
          <span className="muted">{TYPE_LABELS[notification.type]}</span>
          <time className="muted" dateTime={notification.updated_at} title={formatDateTime(notification.updated_at)}>
            {formatRelative(notification.updated_at)}
          </time>
          {notification.group_count > 1 && <span className="muted">· {notification.group_count} updates</span>}
        </div>
        <h2 className="inbox-item-title">
          {href ? (
            <Link to={href} onClick={() => openNotification(notification)}>
              {title}
            </Link>
          ) : (
            title
          )}
        </h2>
        <p className="inbox-item-body">{notification.body}</p>
        <ActionError error={change.error} />
      </div>
      <div className="inbox-item-actions">
        <button
          type="button"
          className="btn btn-small"
          disabled={change.isPending}
          aria-label={`${isRead ? 'Mark unread' : 'Mark read'}: ${title}`}
          onClick={() => change.mutate({ id: notification.id, change: { read: !isRead } })}
        >
          {isRead ? 'Mark unread' : 'Mark read'}
        </button>
        <button
          type="button"
          className="btn btn-small"
          disabled={change.isPending}
          aria-label={`${isArchived ? 'Move to inbox' : 'Archive'}: ${title}`}
          onClick={() => change.mutate({ id: notification.id, change: { archived: !isArchived } })}
        >
          {isArchived ? 'Move to inbox' : 'Archive'}
        </button>
        {notification.group_key && <MuteButton groupKey={notification.group_key} title={title} />}
      </div>
    </li>
  );
}

/** Mutes the item's thread: nothing more of it reaches the person (unmute in settings). */
function MuteButton({ groupKey, title }: { groupKey: string; title: string }) {
  const queryClient = useQueryClient();
  const mute = useMutation({
    mutationFn: async () =>
      data(await api.PUT('/v1/notifications/mutes/{group_key}', { params: { path: { group_key: groupKey } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['notification-settings', 'mutes'] }),
  });
  if (mute.isSuccess)
    return (
      <span className="muted inbox-muted" role="status">
        Thread muted. <Link to="/settings/notifications#mutes">Manage mutes</Link>
      </span>
    );
  return (
    <>
      <button
        type="button"
        className="btn btn-small btn-ghost"
        disabled={mute.isPending}
        aria-label={`Mute this thread: ${title}`}
        onClick={() => mute.mutate()}
      >
        Mute this thread
      </button>
      <ActionError error={mute.error} />
    </>
  );
}
