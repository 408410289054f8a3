import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useEffectEvent, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';

/** The events of `GET /v1/notifications/stream`. */
export type LiveEventName = 'notification.created' | 'notification.updated' | 'unread_count' | 'resync';
export type LiveStatus = 'connecting' | 'open' | 'reconnecting';
type Listener = (data: unknown) => void;

interface LiveStream {
  status: LiveStatus;
  /** Calls `listener` with each event's parsed data; returns the unsubscribe function. */
  subscribe(event: LiveEventName, listener: Listener): () => void;
}

const STREAM_URL = '/v1/notifications/stream';
const EVENTS: LiveEventName[] = ['notification.created', 'notification.updated', 'unread_count', 'resync'];
const MAX_BACKOFF_MS = 30_000;

const LiveStreamContext = createContext<LiveStream | null>(null);

export function useLiveStream(): LiveStream {
  const stream = useContext(LiveStreamContext);
  if (!stream) throw new Error('useLiveStream outside LiveStreamProvider');
  return stream;
}

/** Subscribes for the component's lifetime; `listener` may change between renders. */
export function useLiveEvent(event: LiveEventName, listener: Listener): void {
  const { subscribe } = useLiveStream();
  const onEvent = useEffectEvent(listener);
  useEffect(() => subscribe(event, (data) => onEvent(data)), [subscribe, event]);
}

/**
 * One EventSource per tab. The browser resumes a dropped stream by itself, sending `Last-Event-ID`
 * so the server replays what was missed. When the stream is closed for good (the server restarted
 * and answered an error, say) a new one is opened with back-off, and every cached query is
 * refetched, because a fresh stream carries no history.
 */
export function LiveStreamProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const listeners = useRef(new Map<LiveEventName, Set<Listener>>());
  const [status, setStatus] = useState<LiveStatus>('connecting');

  useEffect(() => {
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let stopped = false;

    const connect = () => {
      source = new EventSource(STREAM_URL, { withCredentials: true });
      source.onopen = () => {
        if (attempt > 0) void queryClient.invalidateQueries();
        attempt = 0;
        setStatus('open');
      };
      source.onerror = () => {
        if (stopped || !source) return;
        if (source.readyState === EventSource.CONNECTING) {
          setStatus('reconnecting');
          return;
        }
        source.close();
        setStatus('reconnecting');
        attempt += 1;
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempt, 5));
        retryTimer = setTimeout(connect, delay);
      };
      for (const event of EVENTS) {
        source.addEventListener(event, (message) => {
          const data: unknown = JSON.parse((message as MessageEvent<string>).data);
          for (const listener of listeners.current.get(event) ?? []) listener(data);
        });
      }
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      source?.close();
    };
  }, [queryClient]);

  const subscribe = useMemo(
    () => (event: LiveEventName, listener: Listener) => {
      const set = listeners.current.get(event) ?? new Set<Listener>();
      listeners.current.set(event, set);
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    [],
  );
  const value = useMemo(() => ({ status, subscribe }), [status, subscribe]);
  return <LiveStreamContext.Provider value={value}>{children}</LiveStreamContext.Provider>;
}
