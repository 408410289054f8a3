import { createServer } from 'node:net';

const REASONS: Record<string, string> = {
  EADDRINUSE: 'is already in use; stop the process using it or set PORT',
  EACCES: 'needs privileges this process lacks; use a port above 1023 or set PORT',
  EADDRNOTAVAIL: 'is not on an address of this machine; check HOST',
};

/**
 * Binds and releases host:port, so `serve` refuses an address it cannot listen on before it
 * migrates, creates the platform admin or prints a setup token.
 */
export async function assertCanListen(host: string, port: number): Promise<void> {
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen({ host, port, exclusive: true }, resolve);
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const reason = REASONS[code] ?? `cannot be listened on (${(error as Error).message})`;
    throw new Error(`${host}:${port} ${reason}`, { cause: error });
  }
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}
