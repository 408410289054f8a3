/**
 * The portal page where a user sets a password with a one-time setup token. The token rides in the
 * fragment, which browsers never send to a server, so it stays out of access logs and Referer.
 */
export function setupLink(baseUrl: string, setupToken: string): string {
  return `${baseUrl}/setup#token=${encodeURIComponent(setupToken)}`;
}
