import type { ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import type { Database } from '../../database/schema.ts';
import type { UserId } from '../../identity/tables.ts';
import type { LiveFeed } from '../../realtime/live-feed.ts';
import { presentNotification } from '../presenter.ts';
import { inboxRepository } from '../repository.ts';
import { INBOX_CHANNEL, parseInboxChanges } from './signal.ts';
import { SSE_HEARTBEAT, sseEvent, sseRetry } from './sse.ts';

/** A resume point further behind than this gets a resync instead of a replay. */
export const MAX_REPLAY_CHANGES = 1_000;
/** Items in a resync's snapshot. */
export const RESYNC_ITEMS = 50;
/** Rows one read takes for a user; more are read in further rounds. */
const READ_PAGE = 500;
/** How long a signalled change may stay invisible (the in-memory feed signals before the commit). */
const VISIBILITY_WAIT_MS = 5_000;
/** Re-reads of a change not yet visible: soon and often (one indexed read each), so commit → receipt stays short. */
const RETRY_DELAYS_MS = { first: 1, max: 10 };
/** The reconnect delay suggested to clients. */
const CLIENT_RETRY_MS = 2_000;
/**
 * The reconnect delay sent as a closing process ends its streams: soon (to another process behind
 * the load balancer), spread over a window so its clients do not all reconnect at once.
 */
const SHUTDOWN_RETRY_MS = { min: 250, spread: 2_000 };

export interface StreamHubOptions {
  db: Kysely<Database>;
  feed: LiveFeed;
  logger: { warn(details: object, message: string): void };
  heartbeatMs: number;
  /** Unsent bytes allowed per stream; beyond them the stream is cut and the client resumes. */
  queueBytes: number;
}

/** Where a new stream starts: computed before the response is committed, so failures are still problems. */
export interface StreamStart {
  userId: UserId;
  /** The last change the client has; later ones are sent. */
  after: number;
  /** Sent first: the resync event, when the resume point could not be honoured. */
  preface: string | null;
}

class StreamConnection {
  closed = false;
  private waitingForDrain = false;

  constructor(
    readonly userId: UserId,
    public lastSent: number,
    /** Still owes the client its first unread count. */
    public needsCount: boolean,
    private readonly response: ServerResponse,
    private readonly queueBytes: number,
  ) {}

  /** The client has not yet taken what was last written: nothing more is queued for it until it does. */
  get backlogged(): boolean {
    return this.response.writableNeedDrain;
  }

  /**
   * Writes, or cuts a client that already holds more unsent bytes than the cap (its partial event
   * is discarded). Event chunks are only written once the previous one drained, so this bounds
   * what piles up otherwise (heartbeats, counts) to the cap plus one chunk.
   */
  send(chunk: string): void {
    if (this.closed) return;
    if (this.response.writableLength > this.queueBytes) {
      this.cut();
      return;
    }
    this.response.write(chunk);
  }

  /** Runs `then` once the backlog has drained (once, however often asked). */
  afterDrain(then: () => void): void {
    if (this.waitingForDrain || this.closed) return;
    this.waitingForDrain = true;
    this.response.once('drain', () => {
      this.waitingForDrain = false;
      then();
    });
  }

  /** Drops the connection; the client reconnects with its Last-Event-ID. */
  cut(): void {
    if (this.closed) return;
    this.closed = true;
    this.response.destroy();
  }

  /**
   * Ends the stream, after `farewell` when given; a client that has not read what it was sent is
   * cut (it resumes from what it has).
   */
  end(farewell?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.response.writableLength > 0) this.response.destroy();
    else this.response.end(farewell);
  }
}

/** One user's open streams on this process and the single read that serves them all. */
interface UserStreams {
  userId: UserId;
  connections: Set<StreamConnection>;
  /** The newest signalled sequence; reads repeat until it is visible or the wait runs out. */
  wanted: number;
  waitUntil: number;
  reading: boolean;
  again: boolean;
  retry: NodeJS.Timeout | null;
  retries: number;
}

/**
 * The live streams of one process. One feed subscription for all; a signal "user U changed up to
 * S" triggers one read of U's changed rows for all of U's streams here, each of which is sent what
 * it has not had yet, then the unread count. Nothing is held per stream but its socket.
 */
export class NotificationStreamHub {
  private readonly users = new Map<UserId, UserStreams>();
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: StreamHubOptions) {
    this.unsubscribe = options.feed.subscribe(
      INBOX_CHANNEL,
      (payload) => {
        for (const change of parseInboxChanges(payload)) this.signal(change.userId, change.seq);
      },
      // Signals may have been lost while the feed was away: every user re-reads.
      () => {
        for (const userId of this.users.keys()) this.signal(userId, 0);
      },
    );
    this.heartbeat = setInterval(() => {
      for (const user of this.users.values())
        for (const connection of user.connections) if (!connection.backlogged) connection.send(SSE_HEARTBEAT);
    }, options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Open streams on this process. */
  get size(): number {
    let count = 0;
    for (const user of this.users.values()) count += user.connections.size;
    return count;
  }

  /**
   * Decides where a new stream starts. No `lastEventId`: from now on. A sequence at most
   * MAX_REPLAY_CHANGES behind: every change after it. Anything else (garbage, ahead of the inbox,
   * too far behind): a resync with the current unread count and the newest items.
   */
  async prepare(userId: UserId, lastEventId: number | null | undefined): Promise<StreamStart> {
    const { db } = this.options;
    const inbox = inboxRepository(db, userId);
    const latest = await inbox.sequence();
    if (lastEventId === undefined) return { userId, after: latest, preface: null };
    if (lastEventId !== null && lastEventId <= latest && latest - lastEventId <= MAX_REPLAY_CHANGES) {
      return { userId, after: lastEventId, preface: null };
    }
    const [count, newest] = await Promise.all([inbox.unreadCount(), inbox.newest(RESYNC_ITEMS)]);
    const resync = { unread_count: count, notifications: newest.map(presentNotification) };
    return { userId, after: latest, preface: sseEvent('resync', resync, latest) };
  }

  /** Starts streaming on a response whose headers the caller has written. */
  attach(start: StreamStart, response: ServerResponse): void {
    if (this.closed) {
      response.end();
      return;
    }
    const connection = new StreamConnection(
      start.userId,
      start.after,
      start.preface === null,
      response,
      this.options.queueBytes,
    );
    connection.send(sseRetry(CLIENT_RETRY_MS));
    if (start.preface !== null) connection.send(start.preface);
    let user = this.users.get(start.userId);
    if (!user) {
      user = {
        userId: start.userId,
        connections: new Set(),
        wanted: 0,
        waitUntil: 0,
        reading: false,
        again: false,
        retry: null,
        retries: 0,
      };
      this.users.set(start.userId, user);
    }
    user.connections.add(connection);
    response.once('close', () => this.detach(connection));
    // Catches up on what committed since `prepare`, and sends the first unread count.
    this.signal(start.userId, 0);
  }

  /** Ends every stream with a short `retry:` hint (clients reconnect to another process) and stops listening. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    clearInterval(this.heartbeat);
    for (const user of this.users.values()) {
      if (user.retry) clearTimeout(user.retry);
      for (const connection of user.connections)
        connection.end(sseRetry(SHUTDOWN_RETRY_MS.min + Math.floor(Math.random() * SHUTDOWN_RETRY_MS.spread)));
    }
    this.users.clear();
  }

  private detach(connection: StreamConnection): void {
    connection.closed = true;
    const user = this.users.get(connection.userId);
    if (!user) return;
    user.connections.delete(connection);
    if (user.connections.size === 0) {
      if (user.retry) clearTimeout(user.retry);
      this.users.delete(connection.userId);
    }
  }

  private signal(userId: UserId, seq: number): void {
    const user = this.users.get(userId);
    if (!user || this.closed) return;
    user.wanted = Math.max(user.wanted, seq);
    user.waitUntil = performance.now() + VISIBILITY_WAIT_MS;
    if (user.reading) {
      user.again = true;
      return;
    }
    if (user.retry) clearTimeout(user.retry);
    user.retry = null;
    user.retries = 0;
    void this.read(user);
  }

  private async read(user: UserStreams): Promise<void> {
    user.reading = true;
    let visible = 0;
    let failed = false;
    try {
      visible = await this.readOnce(user);
    } catch (error) {
      failed = true;
      this.options.logger.warn({ err: error, userId: user.userId }, 'live stream read failed; retrying');
    }
    user.reading = false;
    if (this.closed || this.users.get(user.userId) !== user) return;
    if (user.again) {
      user.again = false;
      user.retries = 0;
      void this.read(user);
      return;
    }
    const behind = failed || visible < user.wanted;
    if (!behind) {
      user.retries = 0;
      return;
    }
    if (performance.now() >= user.waitUntil) {
      // The change never became visible (rolled back) or the database stays away: wait for the next signal.
      user.wanted = Math.min(user.wanted, visible);
      user.retries = 0;
      return;
    }
    const delay = Math.min(RETRY_DELAYS_MS.max, RETRY_DELAYS_MS.first * 2 ** user.retries);
    user.retries += 1;
    user.retry = setTimeout(() => {
      user.retry = null;
      void this.read(user);
    }, delay);
  }

  /**
   * One round: sends every stream of the user what it lacks, at most `queueBytes` of events per
   * stream; a stream still flushing an earlier write is served again once it drains, unless it
   * has fallen more than MAX_REPLAY_CHANGES behind, when it is cut. Returns the sequence visible.
   */
  private async readOnce(user: UserStreams): Promise<number> {
    const { db, queueBytes } = this.options;
    const ready: StreamConnection[] = [];
    let cursor = Infinity;
    // The counter first: every change up to it has committed, so the rows read next include them all.
    const inbox = inboxRepository(db, user.userId);
    const visible = await inbox.sequence();
    for (const connection of user.connections) {
      if (!connection.backlogged) {
        ready.push(connection);
        cursor = Math.min(cursor, connection.lastSent);
      } else if (visible - connection.lastSent > MAX_REPLAY_CHANGES) connection.cut();
      else connection.afterDrain(() => this.signal(user.userId, 0));
    }
    if (ready.length === 0) return visible;
    const rows = await inbox.changesAfter(cursor, READ_PAGE);
    const owesCount = rows.length > 0 || ready.some((connection) => connection.needsCount);
    const count = owesCount ? await inbox.unreadCount() : 0;
    for (const connection of ready) {
      const seen = connection.lastSent;
      let chunk = '';
      let complete = rows.length < READ_PAGE;
      for (const row of rows) {
        if (row.change_seq <= seen) continue;
        if (chunk.length >= queueBytes / 2) {
          complete = false;
          break;
        }
        const event = row.activity_seq > seen ? 'notification.created' : 'notification.updated';
        chunk += sseEvent(event, presentNotification(row), row.change_seq);
        connection.lastSent = row.change_seq;
      }
      if (complete) connection.lastSent = Math.max(connection.lastSent, visible);
      else user.again = true;
      if (chunk || connection.needsCount) chunk += sseEvent('unread_count', { unread_count: count });
      connection.needsCount = false;
      if (chunk) connection.send(chunk);
    }
    return visible;
  }
}
