import { describe, expect, it } from 'vitest';
import type { Attempt, EventType } from './types.ts';
import {
  describeAttempt,
  endpointHealth,
  groupCatalog,
  headerLines,
  eventsSummary,
  isoToLocalDateTime,
  localDateTimeToIso,
  prettyJson,
  toggleEvent,
  validateEndpointForm,
} from './webhook-logic.ts';

const eventType = (type: string): EventType => ({ type, description: `${type} happened`, schema: {}, example: {} });

describe('groupCatalog', () => {
  it('groups by the prefix before the first dot, in catalog order', () => {
    const groups = groupCatalog(
      [
        'invoice.created',
        'ticket.created',
        'invoice.paid',
        'api_key.created',
        'usage.threshold_exceeded',
        'ticket.sla.breached',
      ].map(eventType),
    );
    expect(groups.map((group) => group.category)).toEqual(['invoice', 'ticket', 'api_key', 'usage']);
    expect(groups[0]?.events.map((e) => e.type)).toEqual(['invoice.created', 'invoice.paid']);
    expect(groups[1]?.events.map((e) => e.type)).toEqual(['ticket.created', 'ticket.sla.breached']);
    expect(groups.map((group) => group.label)).toEqual([
      'Invoices',
      'Support tickets',
      'API keys',
      'Usage and budgets',
    ]);
  });

  it('labels an unknown category from its name', () => {
    expect(groupCatalog([eventType('data_export.ready')])[0]?.label).toBe('Data export');
  });

  it('gives no group for an empty catalog', () => {
    expect(groupCatalog([])).toEqual([]);
  });
});

describe('endpointHealth', () => {
  const enabled = { status: 'enabled', circuit: 'closed', disabled_reason: null } as const;
  const window = (success_rate: number | null) => ({
    last_24h: {
      attempts: 10,
      delivered: 0,
      failed: 0,
      unknown: 0,
      success_rate,
      latency_ms: { p50: null, p95: null, p99: null },
    },
  });

  it('is enabled when enabled, the circuit closed and no stats say otherwise', () => {
    expect(endpointHealth(enabled)).toEqual({ label: 'Enabled', tone: 'success' });
    expect(endpointHealth(enabled, window(0.98)).label).toBe('Enabled');
    expect(endpointHealth(enabled, window(null)).label).toBe('Enabled');
  });

  it('is failing when the circuit is open or most recent attempts failed', () => {
    expect(endpointHealth({ ...enabled, circuit: 'open' })).toMatchObject({ label: 'Failing', tone: 'danger' });
    expect(endpointHealth(enabled, window(0.2))).toMatchObject({ label: 'Failing', tone: 'warning' });
  });

  it('names who or what disabled it, with the server reason when given', () => {
    expect(endpointHealth({ ...enabled, status: 'disabled_by_user' })).toMatchObject({
      label: 'Disabled',
      tone: 'neutral',
    });
    expect(endpointHealth({ ...enabled, status: 'disabled_failing', disabled_reason: 'failing for 5 days' })).toEqual({
      label: 'Disabled (failing)',
      tone: 'danger',
      detail: 'failing for 5 days',
    });
    expect(endpointHealth({ ...enabled, status: 'disabled_gone' }).label).toBe('Disabled (gone)');
  });
});

describe('validateEndpointForm', () => {
  const valid = { url: 'https://example.com/hooks', description: '', events: ['ticket.created'] };

  it('accepts an https or http URL with at least one event', () => {
    expect(validateEndpointForm(valid)).toEqual({});
    expect(validateEndpointForm({ ...valid, url: ' http://127.0.0.1:8080/x ' })).toEqual({});
  });

  it('refuses an empty, relative or non-http URL', () => {
    expect(validateEndpointForm({ ...valid, url: '' }).url).toMatch(/Enter the URL/);
    expect(validateEndpointForm({ ...valid, url: 'example.com/hooks' }).url).toMatch(/https/);
    expect(validateEndpointForm({ ...valid, url: 'ftp://example.com' }).url).toMatch(/https/);
    expect(validateEndpointForm({ ...valid, url: `https://example.com/${'a'.repeat(2048)}` }).url).toMatch(/2048/);
  });

  it('requires an event and bounds the description', () => {
    expect(validateEndpointForm({ ...valid, events: [] }).events).toMatch(/at least one/);
    expect(validateEndpointForm({ ...valid, description: 'x'.repeat(501) }).description).toMatch(/500/);
  });
});

describe('eventsSummary', () => {
  it('says all events, lists a few names or counts many', () => {
    expect(eventsSummary(['*'])).toBe('All events');
    expect(eventsSummary(['ticket.created', 'ticket.resolved'])).toBe('ticket.created, ticket.resolved');
    expect(eventsSummary(['a.b', 'c.d', 'e.f', 'g.h'])).toBe('4 events');
    expect(eventsSummary(['a.b', 'c.d', 'e.f', 'g.h'], Infinity)).toBe('a.b, c.d, e.f, g.h');
  });
});

describe('toggleEvent', () => {
  it('adds and removes one type', () => {
    expect(toggleEvent(['a.b'], 'c.d', true)).toEqual(['a.b', 'c.d']);
    expect(toggleEvent(['a.b', 'c.d'], 'a.b', false)).toEqual(['c.d']);
  });

  it('makes all events stand alone', () => {
    expect(toggleEvent(['a.b'], '*', true)).toEqual(['*']);
    expect(toggleEvent(['*'], '*', false)).toEqual([]);
    expect(toggleEvent(['*'], 'a.b', true)).toEqual(['a.b']);
  });
});

describe('datetime-local conversion', () => {
  it('reads the value in the browser time zone and round-trips', () => {
    const local = '2026-11-20T09:30';
    const iso = localDateTimeToIso(local);
    expect(iso).toBe(new Date(2026, 10, 20, 9, 30).toISOString());
    expect(isoToLocalDateTime(new Date(iso ?? ''))).toBe(local);
  });

  it('is null for an empty or malformed value', () => {
    expect(localDateTimeToIso('')).toBeNull();
    expect(localDateTimeToIso('yesterday')).toBeNull();
    expect(localDateTimeToIso('2026-13-40T99:99')).toBeNull();
  });
});

describe('attempt display', () => {
  const attempt: Attempt = {
    id: 'att_1',
    attempt: 2,
    trigger: 'manual',
    created_at: '2026-11-25T09:30:00.000Z',
    request_headers: { 'webhook-signature': 'v1,abc', 'content-type': 'application/json', 'webhook-id': 'evt_1' },
    response_status: 503,
    response_headers: { 'retry-after': '5' },
    response_body: 'busy',
    response_truncated: false,
    duration_ms: 120,
    error_class: 'http_status',
    error_message: 'answered 503',
    outcome: 'retry',
    next_retry_at: '2026-11-25T09:35:00.000Z',
  };

  it('describes the attempt, its outcome and facts', () => {
    expect(describeAttempt(attempt)).toEqual({
      title: 'Attempt 2 (manual retry)',
      outcome: 'Failed, retry scheduled',
      facts: ['HTTP 503', '120 ms', 'http_status: answered 503'],
    });
    expect(
      describeAttempt({
        ...attempt,
        trigger: 'scheduled',
        response_status: null,
        error_class: 'timeout',
        error_message: null,
      }).facts,
    ).toEqual(['No response', '120 ms', 'timeout']);
  });

  it('sorts headers by name and handles no headers', () => {
    expect(headerLines(attempt.request_headers).map(([name]) => name)).toEqual([
      'content-type',
      'webhook-id',
      'webhook-signature',
    ]);
    expect(headerLines(null)).toEqual([]);
  });

  it('indents JSON values and JSON strings, leaving other text alone', () => {
    expect(prettyJson({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(prettyJson('{"ok":true}')).toBe('{\n  "ok": true\n}');
    expect(prettyJson('plain text')).toBe('plain text');
  });
});
