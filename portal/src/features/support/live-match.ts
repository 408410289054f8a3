/**
 * True when a notification's `action_url` opens this ticket. Customers' notifications name the
 * ticket by reference (`/support/SB-1042`, `?csat=1` on a resolution), staff's by id; either
 * names this ticket.
 */
export function notificationIsAbout(data: unknown, ticket: { id: string; reference: string }): boolean {
  if (typeof data !== 'object' || data === null || !('action_url' in data)) return false;
  const url = data.action_url;
  if (typeof url !== 'string') return false;
  const path = url.split(/[?#]/, 1)[0] ?? '';
  const match = /^\/support\/([^/]+)$/.exec(path);
  if (!match?.[1]) return false;
  const named = decodeURIComponent(match[1]).toLowerCase();
  return named === ticket.id.toLowerCase() || named === ticket.reference.toLowerCase();
}
