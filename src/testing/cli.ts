import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled CLI, as installed; scripts/run-tests.mjs rebuilds dist/ first when it is stale. */
export const CLI_BIN = fileURLToPath(new URL('../../bin/securebase.js', import.meta.url));

/**
 * Runs the compiled CLI without blocking the event loop (for tests that serve something to the
 * child, or read its database meanwhile); stdout and stderr are pipes, not a terminal.
 */
export async function runCli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 60_000) {
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
    timeout: timeoutMs,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}
