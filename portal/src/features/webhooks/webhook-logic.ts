// Pure logic of the webhook pages: catalog grouping, endpoint health, form checks, attempt display.
import type { Attempt, Endpoint, EventType, Stats } from './types.ts';

export interface EventGroup {
  /** The part of the type before the first dot: `ticket` for `ticket.created`. */
  category: string;
  label: string;
  events: EventType[];
}

const CATEGORY_LABELS: Record<string, string> = {
  ticket: 'Support tickets',
  invoice: 'Invoices',
  compliance: 'Compliance',
  usage: 'Usage and budgets',
  api_key: 'API keys',
  notification: 'Notifications',
};

function categoryLabel(category: string): string {
  const known = CATEGORY_LABELS[category];
  if (known) return known;
  const words = category.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Groups the catalog by category, keeping the catalog's order of first appearance within and across groups. */
export function groupCatalog(eventTypes: readonly EventType[]): EventGroup[] {
  const groups = new Map<string, EventGroup>();
  for (const eventType of eventTypes) {
    const category = eventType.type.split('.')[0] ?? eventType.type;
    let group = groups.get(category);
    if (!group) {
      group = { category, label: categoryLabel(category), events: [] };
      groups.set(category, group);
    }
    group.events.push(eventType);
  }
  return [...groups.values()];
}

export type HealthTone = 'success' | 'warning' | 'danger' | 'neutral';
export interface Health {
  label: string;
  tone: HealthTone;
  /** Why, when it is not simply enabled. */
  detail?: string;
}

/** Below this share of successful attempts in the last 24 h an enabled endpoint counts as failing. */
export const FAILING_SUCCESS_RATE = 0.5;

/**
 * One status word for an endpoint: disabled (by someone or by the server), failing (circuit open, or
 * most recent attempts failed) or enabled. `stats` refines it where the page has them.
 */
export function endpointHealth(
  endpoint: Pick<Endpoint, 'status' | 'circuit' | 'disabled_reason'>,
  stats?: Pick<Stats, 'last_24h'>,
): Health {
  switch (endpoint.status) {
    case 'disabled_by_user':
      return { label: 'Disabled', tone: 'neutral', detail: endpoint.disabled_reason ?? 'Disabled by a user' };
    case 'disabled_failing':
      return {
        label: 'Disabled (failing)',
        tone: 'danger',
        detail: endpoint.disabled_reason ?? 'Turned off after failing for too long',
      };
    case 'disabled_gone':
      return {
        label: 'Disabled (gone)',
        tone: 'danger',
        detail: endpoint.disabled_reason ?? 'The receiver answered 410 Gone',
      };
    case 'enabled':
      break;
  }
  if (endpoint.circuit === 'open')
    return { label: 'Failing', tone: 'danger', detail: 'Deliveries are held after consecutive failures' };
  const rate = stats?.last_24h.success_rate;
  if (rate !== null && rate !== undefined && rate < FAILING_SUCCESS_RATE)
    return { label: 'Failing', tone: 'warning', detail: 'Most attempts in the last 24 hours failed' };
  return { label: 'Enabled', tone: 'success' };
}

export function badgeClass(tone: HealthTone): string {
  return tone === 'neutral' ? 'badge' : `badge badge-${tone}`;
}

/** The subscribed events in a few words: "All events", the names up to `listUpTo`, else a count. */
export function eventsSummary(events: readonly string[], listUpTo = 3): string {
  if (events.includes('*')) return 'All events';
  return events.length <= listUpTo ? events.join(', ') : `${events.length} events`;
}

export interface EndpointForm {
  url: string;
  description: string;
  events: string[];
}

export type EndpointFormErrors = Partial<Record<keyof EndpointForm, string>>;

/**
 * What the browser can check before sending: a valid http(s) URL and at least one event. Whether
 * http or a private address is allowed is the server's call; its refusal is shown as it words it.
 */
export function validateEndpointForm(form: EndpointForm): EndpointFormErrors {
  const errors: EndpointFormErrors = {};
  const url = form.url.trim();
  if (url === '') errors.url = 'Enter the URL that receives the events';
  else if (url.length > 2048) errors.url = 'At most 2048 characters';
  else {
    const parsed = URL.canParse(url) ? new URL(url) : null;
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.hostname === '')
      errors.url = 'Enter a full https:// URL';
  }
  if (form.description.length > 500) errors.description = 'At most 500 characters';
  if (form.events.length === 0) errors.events = 'Choose at least one event';
  else if (form.events.length > 50) errors.events = 'At most 50 events; subscribe to all events instead';
  return errors;
}

/** Ticks or unticks one event; `*` (all events) stands alone. */
export function toggleEvent(selected: readonly string[], type: string, checked: boolean): string[] {
  if (type === '*') return checked ? ['*'] : [];
  const rest = selected.filter((event) => event !== type && event !== '*');
  return checked ? [...rest, type] : rest;
}

/** The ISO instant of a `datetime-local` value, read in the browser's time zone; null when empty or invalid. */
export function localDateTimeToIso(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** A `datetime-local` value for an instant, in the browser's time zone (minutes precision). */
export function isoToLocalDateTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

const OUTCOME_LABELS: Record<Attempt['outcome'], string> = {
  delivered: 'Delivered',
  retry: 'Failed, retry scheduled',
  failed: 'Failed',
  gone: 'Gone (410)',
  blocked: 'Blocked',
  unknown: 'No result recorded',
};

const TRIGGER_LABELS: Record<Attempt['trigger'], string> = {
  scheduled: 'scheduled',
  manual: 'manual retry',
  recover: 'recovery',
};

export function outcomeTone(outcome: Attempt['outcome']): HealthTone {
  if (outcome === 'delivered') return 'success';
  if (outcome === 'retry' || outcome === 'unknown') return 'warning';
  return 'danger';
}

/** "Attempt 2 (manual retry)" and the facts of its answer, for the attempt's heading. */
export function describeAttempt(attempt: Attempt): { title: string; outcome: string; facts: string[] } {
  const facts: string[] = [];
  facts.push(attempt.response_status === null ? 'No response' : `HTTP ${attempt.response_status}`);
  facts.push(`${attempt.duration_ms} ms`);
  if (attempt.error_class)
    facts.push(attempt.error_message ? `${attempt.error_class}: ${attempt.error_message}` : attempt.error_class);
  return {
    title: `Attempt ${attempt.attempt} (${TRIGGER_LABELS[attempt.trigger]})`,
    outcome: OUTCOME_LABELS[attempt.outcome],
    facts,
  };
}

/** Headers as sorted `[name, value]` pairs, so the signature headers sit together. */
export function headerLines(headers: Readonly<Record<string, string>> | null): Array<[string, string]> {
  if (!headers) return [];
  return Object.entries(headers).sort(([a], [b]) => a.localeCompare(b));
}

/** A JSON value indented for reading; a string body that holds JSON is indented too. */
export function prettyJson(value: unknown): string {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2) ?? '';
}
