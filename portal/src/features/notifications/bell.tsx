import { Link } from 'react-router';

/** The header's bell: links to the inbox. (Badge and dropdown: issue 11, notifications part.) */
export function NotificationBell() {
  return (
    <Link className="btn btn-ghost bell" to="/notifications" aria-label="Notifications">
      <span aria-hidden="true">🔔</span>
    </Link>
  );
}
