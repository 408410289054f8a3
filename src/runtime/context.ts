import type { Logger } from 'pino';
import type { Clock } from '../config/clock.ts';
import type { Config } from '../config/config.ts';
import type { KeyRing } from '../crypto/key-ring.ts';
import type { DatabaseHandle } from '../database/connection.ts';
import type { LiveFeed } from '../realtime/live-feed.ts';

/** What every feature plugin is built from: configuration, storage, time and logging. */
export interface AppContext {
  config: Config;
  database: DatabaseHandle;
  clock: Clock;
  logger: Logger;
  /** Master keys sealing secrets at rest (webhook secrets, stored idempotent responses). */
  keyRing: KeyRing;
  /** Signals between processes (live notification streams); see LiveFeed. */
  liveFeed: LiveFeed;
  /** Called after a commit that enqueued jobs, so an in-process worker starts at once. */
  wakeWorkers(): void;
}
