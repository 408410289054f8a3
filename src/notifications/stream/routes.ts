import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { forbidden } from '../../errors/app-error.ts';
import { authOf } from '../../identity/authenticate.ts';
import type { AppContext } from '../../runtime/context.ts';
import { NotificationStreamHub } from './hub.ts';
import { parseLastEventId } from './sse.ts';

const STREAM_DESCRIPTION = [
  'Server-Sent Events of the caller’s own inbox. Events: `notification.created` (new notification or new',
  'activity on a group; data = the full notification), `notification.updated` (read, archived…; the full',
  'notification), `unread_count` (`{"unread_count": n}`, after every batch of changes and on connect),',
  '`resync` (`{"unread_count", "notifications"}`: the newest items, when `Last-Event-ID` cannot be honoured).',
  'Each notification event’s `id` is its change sequence: reconnect with `Last-Event-ID` to receive every',
  'later change exactly once. Comment heartbeats keep idle streams open through proxies.',
].join(' ');

/**
 * `GET /v1/notifications/stream`. The response is taken over from Fastify once the caller is
 * authenticated and the starting point read (so errors up to then are ordinary problem
 * responses); from then on the process's hub writes to it until the client leaves, the stream
 * is cut for falling behind, or the server closes.
 */
export function notificationStreamRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const hub = new NotificationStreamHub({
      db: ctx.database.db,
      feed: ctx.liveFeed,
      logger: ctx.logger,
      heartbeatMs: ctx.config.notificationStream.heartbeatSeconds * 1000,
      queueBytes: ctx.config.notificationStream.queueBytes,
    });
    // Before the server waits for open requests to finish: streams never would.
    app.addHook('preClose', async () => hub.close());

    app.get(
      '/notifications/stream',
      {
        schema: {
          tags: ['notifications'],
          operationId: 'streamNotifications',
          summary: 'Live stream of the caller’s notifications (Server-Sent Events)',
          description: STREAM_DESCRIPTION,
          headers: Type.Object({
            'last-event-id': Type.Optional(
              Type.String({ description: 'The `id` of the last event received, to resume after it' }),
            ),
          }),
          response: {
            200: {
              description: 'An event stream that stays open',
              content: {
                'text/event-stream': {
                  schema: Type.String({ description: 'Server-Sent Events (see the operation description)' }),
                },
              },
            },
          },
        },
        config: { permission: 'notifications:read' },
      },
      async (request, reply) => {
        const auth = authOf(request);
        if (!auth.userId) throw forbidden('This credential belongs to no user, so it has no notifications');
        const start = await hub.prepare(auth.userId, parseLastEventId(request.headers['last-event-id']));
        reply.hijack();
        const socket = request.raw.socket;
        socket.setNoDelay(true);
        socket.setTimeout(0);
        // The headers set so far (request id, rate limits, security headers) still apply.
        for (const [name, value] of Object.entries(reply.getHeaders()))
          if (value !== undefined) reply.raw.setHeader(name, typeof value === 'number' ? String(value) : value);
        reply.raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          // nginx would otherwise buffer the stream.
          'x-accel-buffering': 'no',
          // The connection ends with the stream: a closing server then has no idle keep-alive to wait for.
          connection: 'close',
        });
        hub.attach(start, reply.raw);
      },
    );
  };
}
