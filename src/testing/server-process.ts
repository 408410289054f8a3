// A real API process over an existing database (the environment names it), for tests that kill
// the server mid-request. Prints `LISTENING <base url>` once it accepts connections.
import { loadConfig } from '../config/config.ts';
import { buildApp } from '../server/app.ts';
import { openRuntime } from '../server/runtime.ts';

const config = loadConfig({ LOG_LEVEL: 'silent', RATE_LIMIT_PER_HOUR: 'standard=1000000', ...process.env });
const app = await buildApp(await openRuntime(config));
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`LISTENING http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`);
