/** Who is reading: the logged-in user and whether they are SecureBase staff. */
export interface Viewer {
  userId: string | null;
  isStaff: boolean;
}

/**
 * The name shown for the author of a comment or change. Customers see staff as "SecureBase
 * support" (agents' names are staff data) and colleagues as "Your team"; staff see agents by
 * name and customers as "Customer".
 */
export function authorName(
  author: { id: string | null; role: 'customer' | 'staff' | 'system' },
  viewer: Viewer,
  agentNames: ReadonlyMap<string, string>,
): string {
  if (author.role === 'system') return 'SecureBase';
  if (author.id !== null && author.id === viewer.userId) return 'You';
  if (author.role === 'staff') {
    return (viewer.isStaff && author.id !== null && agentNames.get(author.id)) || 'SecureBase support';
  }
  return viewer.isStaff ? 'Customer' : 'Your team';
}
