import { useEffect, useRef } from 'react';
import { useLiveEvent, useLiveStream } from '../../live/stream.tsx';
import { useToasts } from '../../ui/toasts.tsx';
import { notificationOf, toastFor } from './model.ts';

/**
 * Raises toasts for new critical and high notifications from the live stream. Only for what
 * arrives live: a fresh stream starts at "now", and after a reconnect the changes replayed from
 * `Last-Event-ID` come before the stream's first `unread_count`, so nothing toasts until that
 * count has arrived (a long outage does not flood the screen; the bell and the list show them).
 */
export function NotificationToasts() {
  const { push } = useToasts();
  const { status } = useLiveStream();
  const caughtUp = useRef(false);

  useEffect(() => {
    if (status !== 'open') caughtUp.current = false;
  }, [status]);
  useLiveEvent('unread_count', () => {
    caughtUp.current = true;
  });
  useLiveEvent('notification.created', (payload) => {
    const notification = notificationOf(payload);
    const toast = caughtUp.current && notification ? toastFor(notification) : null;
    if (toast) push(toast);
  });
  return null;
}
