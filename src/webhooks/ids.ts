import type { Brand } from '../database/ids.ts';
import { prefixedId } from '../database/ids.ts';

/** An endpoint's `wh_…` id: not accepted where a message, attempt, tenant or ticket id goes. */
export type EndpointId = Brand<string, 'EndpointId'>;
/** A message's `msg_…` id (one event × one endpoint); the public "delivery id". */
export type MessageId = Brand<string, 'MessageId'>;
/** An attempt's `atm_…` id, sent as `x-securebase-delivery`. */
export type AttemptId = Brand<string, 'AttemptId'>;

/** A new, time-ordered endpoint id. */
export const newEndpointId = (now: Date): EndpointId => prefixedId('wh', now.getTime()) as EndpointId;
/** A new, time-ordered message id. */
export const newMessageId = (now: Date): MessageId => prefixedId('msg', now.getTime()) as MessageId;
/** A new attempt id, ordered by `now` (milliseconds; the wall clock when omitted). */
export const newAttemptId = (now?: number): AttemptId => prefixedId('atm', now) as AttemptId;
