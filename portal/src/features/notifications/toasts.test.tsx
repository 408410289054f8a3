import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveStreamProvider } from '../../live/stream.tsx';
import { ToastProvider } from '../../ui/toasts.tsx';
import type { Notification } from './model.ts';
import { NotificationToasts } from './toasts.tsx';

/** An EventSource the test drives: `emit` delivers an event as the server would. */
class FakeEventSource {
  static last: FakeEventSource | null = null;
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  readyState = FakeEventSource.CONNECTING;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  private readonly listeners = new Map<string, Array<(message: { data: string }) => void>>();
  constructor() {
    FakeEventSource.last = this;
  }
  addEventListener(event: string, listener: (message: { data: string }) => void) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  close() {
    this.readyState = FakeEventSource.CLOSED;
  }
  open() {
    this.readyState = FakeEventSource.OPEN;
    this.onopen?.();
  }
  /** A dropped connection the browser is about to resume. */
  drop() {
    this.readyState = FakeEventSource.CONNECTING;
    this.onerror?.();
  }
  emit(event: string, data: unknown) {
    for (const listener of this.listeners.get(event) ?? []) listener({ data: JSON.stringify(data) });
  }
}

const created = (id: string, priority: Notification['priority'], title: string): Partial<Notification> => ({
  id,
  priority,
  title,
  body: 'Details',
  action_url: '/support/SB-1001',
  group_count: 1,
  read_at: null,
  archived_at: null,
});

function renderToasts() {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter>
        <ToastProvider>
          <LiveStreamProvider>
            <NotificationToasts />
          </LiveStreamProvider>
        </ToastProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  const source = FakeEventSource.last;
  if (!source) throw new Error('no stream opened');
  return source;
}

describe('notification toasts', () => {
  beforeEach(() => vi.stubGlobal('EventSource', FakeEventSource));
  afterEach(() => vi.unstubAllGlobals());

  it('toast live critical and high items once, not medium ones', () => {
    const source = renderToasts();
    act(() => {
      source.open();
      source.emit('unread_count', { unread_count: 0 });
      source.emit('notification.created', created('a', 'critical', 'SLA breached'));
      source.emit('notification.created', created('a', 'critical', 'SLA breached'));
      source.emit('notification.created', created('b', 'high', 'API key created'));
      source.emit('notification.created', created('c', 'medium', 'New reply'));
    });
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(screen.getByRole('alert')).toHaveTextContent('SLA breached');
    expect(screen.getByRole('status')).toHaveTextContent('API key created');
    expect(screen.queryByText('New reply')).toBeNull();
    for (const link of screen.getAllByRole('link', { name: 'Open' }))
      expect(link).toHaveAttribute('href', '/support/SB-1001');
  });

  it('stay quiet for what a resumed stream replays before its count', () => {
    const source = renderToasts();
    act(() => {
      source.open();
      source.emit('unread_count', { unread_count: 0 });
    });
    act(() => source.drop());
    act(() => {
      source.open();
      source.emit('notification.created', created('d', 'critical', 'Missed while away'));
      source.emit('unread_count', { unread_count: 1 });
      source.emit('notification.created', created('e', 'high', 'After the catch-up'));
    });
    expect(screen.queryByText('Missed while away')).toBeNull();
    expect(screen.getByRole('status')).toHaveTextContent('After the catch-up');
  });
});
