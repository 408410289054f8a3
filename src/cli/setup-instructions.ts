import { setupLink } from '../identity/setup-link.ts';

/**
 * How to set a password with a one-time setup token: the portal's setup page, or a command. The
 * command's placeholder is shorter than the 12 characters the API requires, so the command pasted
 * unchanged is refused, never accepted as the account's password.
 */
export function setupInstructions(baseUrl: string, setupToken: string): string {
  const body = JSON.stringify({ token: setupToken, password: PASSWORD_PLACEHOLDER });
  return [
    `open ${setupLink(baseUrl, setupToken)} in a browser, or run:`,
    `  curl -X POST ${baseUrl}/v1/auth/setup -H 'content-type: application/json' -d '${body}'`,
    `  (replace ${PASSWORD_PLACEHOLDER} with a password of at least 12 characters)`,
  ].join('\n');
}

export const PASSWORD_PLACEHOLDER = '<password>';
