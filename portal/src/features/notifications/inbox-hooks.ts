// Queries and mutations of the inbox shared by the bell and the notifications page.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { QueryClient } from '@tanstack/react-query';
import { api, data } from '../../api/client.ts';
import { useLiveEvent } from '../../live/stream.tsx';
import { notificationKeys, unreadCountOf } from './model.ts';
import type { Notification, NotificationType } from './model.ts';

/** The unread count: read once, then kept current by the stream's `unread_count` events. */
export function useUnreadCount() {
  return useQuery({
    queryKey: notificationKeys.unreadCount,
    queryFn: async () => data(await api.GET('/v1/notifications/unread-count')).unread_count,
    // The stream keeps it fresh; refetching on focus or remount would only repeat what it said.
    staleTime: Infinity,
  });
}

/** Lists and tab counts go stale with every change the stream reports; the count is sent as is. */
function refreshLists(queryClient: QueryClient) {
  void queryClient.invalidateQueries({ queryKey: notificationKeys.lists });
  void queryClient.invalidateQueries({ queryKey: notificationKeys.newest });
  void queryClient.invalidateQueries({ queryKey: notificationKeys.unreadByType });
}

/**
 * Keeps every notification query live from the stream; mounted once, by the bell, which is on
 * every page. Queries not on screen are only marked stale and refetch when shown.
 */
export function useNotificationsLive(): void {
  const queryClient = useQueryClient();
  const setCount = (payload: unknown) => {
    const count = unreadCountOf(payload);
    if (count !== null) queryClient.setQueryData(notificationKeys.unreadCount, count);
  };
  useLiveEvent('unread_count', setCount);
  useLiveEvent('resync', (payload) => {
    setCount(payload);
    refreshLists(queryClient);
  });
  useLiveEvent('notification.created', () => refreshLists(queryClient));
  useLiveEvent('notification.updated', () => refreshLists(queryClient));
}

/** After a change: the answer's count if it has one, and every list refreshed. */
function useSettled() {
  const queryClient = useQueryClient();
  return (unreadCount?: number) => {
    if (unreadCount !== undefined) queryClient.setQueryData(notificationKeys.unreadCount, unreadCount);
    refreshLists(queryClient);
    void queryClient.invalidateQueries({ queryKey: notificationKeys.unreadCount });
  };
}

/** Read, unread, archived or back in the inbox: one notification. */
export function useChangeNotification() {
  const settled = useSettled();
  return useMutation({
    mutationFn: async ({ id, change }: { id: string; change: { read?: boolean; archived?: boolean } }) =>
      data(await api.PATCH('/v1/notifications/{id}', { params: { path: { id } }, body: change })),
    onSuccess: () => settled(),
  });
}

/** Marks everything unread read, or everything of one type (a tab). */
export function useMarkAllRead() {
  const settled = useSettled();
  return useMutation({
    mutationFn: async (type?: NotificationType) =>
      data(await api.POST('/v1/notifications/mark-read', { body: type ? { all: true, type } : { all: true } })),
    onSuccess: (result) => settled(result.unread_count),
  });
}

/** Opening a notification marks it read (if it is not yet); the caller goes to its page. */
export function useOpenNotification() {
  const change = useChangeNotification();
  return (notification: Notification) => {
    if (!notification.read_at) change.mutate({ id: notification.id, change: { read: true } });
  };
}
