/**
 * The command that sets a password with a one-time setup token. The placeholder is shorter than
 * the 12 characters the API requires, so the command pasted unchanged is refused, never accepted
 * as the account's password.
 */
export function setupCommand(baseUrl: string, setupToken: string): string {
  const body = JSON.stringify({ token: setupToken, password: PASSWORD_PLACEHOLDER });
  return `curl -X POST ${baseUrl}/v1/auth/setup -H 'content-type: application/json' -d '${body}'\n  (replace ${PASSWORD_PLACEHOLDER} with a password of at least 12 characters)`;
}

export const PASSWORD_PLACEHOLDER = '<password>';
