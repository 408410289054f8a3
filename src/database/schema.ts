import type { EventTables } from '../events/tables.ts';
import type { ForecastingTables } from '../forecasting/tables.ts';
import type { HttpTables } from '../http/tables.ts';
import type { IdentityTables } from '../identity/tables.ts';
import type { JobTables } from '../jobs/tables.ts';
import type { NotificationTables } from '../notifications/tables.ts';
import type { RateLimitTables } from '../rate-limits/tables.ts';
import type { TicketTables } from '../tickets/tables.ts';
import type { WebhookTables } from '../webhooks/tables.ts';

/**
 * The whole database as Kysely sees it: each feature declares its own tables beside its code.
 * Timestamps are ISO-8601 UTC strings of fixed width (they sort as text on both dialects);
 * booleans are 0/1 integers; JSON is text.
 */
export interface Database
  extends
    HttpTables,
    JobTables,
    EventTables,
    IdentityTables,
    TicketTables,
    WebhookTables,
    NotificationTables,
    ForecastingTables,
    RateLimitTables {}
