import type { Brand } from '../database/ids.ts';

/** A notification's id (uuidv7): branded so it cannot be passed where another id is expected. */
export type NotificationId = Brand<string, 'NotificationId'>;

/** An email's id in the send log (uuidv7). */
export type NotificationEmailId = Brand<string, 'NotificationEmailId'>;
