import { spawn } from 'node:child_process';
import type { ChildProcess, ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Starts a real API process (server-process.ts) over the test database; resolves with its base URL once it listens. */
export function startApiProcess(env: Record<string, string>): {
  child: ChildProcessWithoutNullStreams;
  baseUrl: Promise<string>;
} {
  const fixture = fileURLToPath(new URL('./server-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { ...process.env, ...env },
    stdio: 'pipe',
  });
  child.stderr.pipe(process.stderr);
  const baseUrl = new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /LISTENING (\S+)/.exec(output);
      if (listening) resolve(listening[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`the API process exited with ${code} before listening`)));
  });
  baseUrl.catch(() => {});
  return { child, baseUrl };
}

/** Stops a child process as an operator would (SIGTERM: it finishes in-flight work), SIGKILL after 10 s. */
export async function stopChildProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
