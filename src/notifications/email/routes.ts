/**
 * The email routes: one-click unsubscribe (RFC 8058; public, the signed token is the credential)
 * and `POST /notifications/test`, which really sends through the chosen channel.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError, notFound } from '../../errors/app-error.ts';
import { NullableString } from '../../http/schema-types.ts';
import { authOf } from '../../identity/authenticate.ts';
import type { UserId } from '../../identity/tables.ts';
import type { AppContext } from '../../runtime/context.ts';
import { deliverNotifications } from '../deliver.ts';
import { NOTIFICATION_TYPES } from '../model.ts';
import { loadOwnPreferences, saveOwnPreferences } from '../preferences/repository.ts';
import { emailPolicyOf } from './plan.ts';
import { recordEmails } from './queue.ts';
import { html } from './templates.ts';
import { verifyUnsubscribeToken } from './unsubscribe-token.ts';
import type { UnsubscribeClaim } from './unsubscribe-token.ts';

const TAGS = ['notifications'];

const TokenQuery = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 2048, description: 'The signed token from the email' }),
});

const Unsubscribed = Type.Object(
  {
    unsubscribed: Type.Boolean({ description: 'Always true' }),
    types: Type.Array(Type.Enum(NOTIFICATION_TYPES), { description: 'The types no longer emailed' }),
  },
  { description: 'Email for these types is off for the link’s user; nothing else changed' },
);

const TestBody = Type.Object(
  { channel: Type.Enum(['in_app', 'email'], { description: 'in_app or email', examples: ['email'] }) },
  { additionalProperties: false },
);

const TestResult = Type.Object(
  {
    channel: Type.Enum(['in_app', 'email'], { description: 'The channel used' }),
    notification_id: NullableString('The test notification (in_app)'),
    email_id: NullableString('The queued test email (email); the worker sends it'),
    to: NullableString('The address the test email goes to'),
  },
  { description: 'The test was sent (in_app) or queued for sending now (email)' },
);

/** Form bodies are accepted but not needed: RFC 8058's `List-Unsubscribe=One-Click` carries no information. */
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

function verified(ctx: AppContext, token: string): UnsubscribeClaim {
  const result = verifyUnsubscribeToken(ctx.keyRing, token, ctx.clock());
  if (!result.ok) {
    const message =
      result.reason === 'expired'
        ? 'has expired: use the link of a newer email, or change your preferences in the portal'
        : 'is not a valid unsubscribe token';
    throw new AppError('validation_failed', `token ${message}`, { errors: [{ field: 'token', message }] });
  }
  return result.claim;
}

/** The unsubscribe and test routes. */
export function notificationEmailRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  const { db } = ctx.database;

  async function unsubscribe(claim: UnsubscribeClaim): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const user = await trx
        .selectFrom('users')
        .select(['id', 'customer_id'])
        .where('id', '=', claim.userId)
        .executeTakeFirst();
      if (!user) throw notFound('User');
      const current = await loadOwnPreferences(trx, user.id);
      const email = { ...current.email };
      for (const type of claim.types) email[type] = false;
      await saveOwnPreferences(
        trx,
        { userId: user.id, customerId: user.customer_id, email, quietHours: current.quietHours },
        ctx.clock(),
      );
    });
  }

  return async (app) => {
    for (const type of FORM_TYPES) {
      if (!app.hasContentTypeParser(type)) {
        app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 4_096 }, (_request, body, done) =>
          done(null, body),
        );
      }
    }

    app.get(
      '/notifications/unsubscribe',
      {
        schema: {
          tags: TAGS,
          summary: 'The page an unsubscribe link opens: it asks for confirmation (a GET never changes anything)',
          security: [],
          querystring: TokenQuery,
          produces: ['text/html'],
          response: { 200: Type.String({ description: 'An HTML page with a confirmation button' }) },
        },
        config: { public: true },
      },
      async (request, reply) => {
        const claim = verified(ctx, request.query.token);
        const what = claim.types.map((type) => type.replace('_', ' ')).join(', ');
        const page = html`<!doctype html>
          <html lang="en">
            <head>
              <meta charset="utf-8" />
              <meta name="viewport" content="width=device-width" />
              <title>Unsubscribe</title>
            </head>
            <body
              style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:480px;margin:48px auto;padding:0 16px;color:#101828"
            >
              <h1 style="font-size:20px">Stop these emails?</h1>
              <p>You will no longer get ${what} notifications by email. They still appear in your SecureBase inbox.</p>
              <form method="post" action="?token=${request.query.token}">
                <input type="hidden" name="List-Unsubscribe" value="One-Click" />
                <button type="submit" style="padding:10px 16px">Unsubscribe</button>
              </form>
            </body>
          </html>`;
        return reply
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .header('referrer-policy', 'no-referrer')
          .send(page.value);
      },
    );

    app.post(
      '/notifications/unsubscribe',
      {
        schema: {
          tags: TAGS,
          summary: 'One-click unsubscribe (RFC 8058): turns email off for the token’s types, for its user only',
          description:
            'The target of `List-Unsubscribe` with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. The body ' +
            '(`List-Unsubscribe=One-Click`, form-encoded) is accepted and not required; the signed, expiring token in ' +
            'the query is the credential. A forged or expired token changes nothing (400).',
          security: [],
          querystring: TokenQuery,
          response: { 200: Unsubscribed },
        },
        config: { public: true },
      },
      async (request) => {
        const claim = verified(ctx, request.query.token);
        await unsubscribe(claim);
        return { unsubscribed: true, types: claim.types };
      },
    );

    app.post(
      '/notifications/test',
      {
        schema: {
          tags: TAGS,
          summary: 'Send yourself a test notification through a channel (in_app now; email via the worker at once)',
          body: TestBody,
          response: { 202: TestResult },
        },
        config: { permission: 'authenticated' },
      },
      async (request, reply) => {
        const auth = authOf(request);
        if (!auth.userId) throw new AppError('forbidden', 'This credential acts for no user to notify');
        const userId: UserId = auth.userId;
        const now = ctx.clock();
        if (request.body.channel === 'in_app') {
          const [notification] = await db.transaction().execute((trx) =>
            deliverNotifications(
              trx,
              [
                {
                  userId,
                  customerId: auth.customerId,
                  type: 'system',
                  priority: 'low',
                  title: 'Test notification',
                  body: 'This notification was requested to check that in-app notifications reach you.',
                  actionUrl: null,
                  groupKey: null,
                  sourceEventId: null,
                },
              ],
              { now, liveFeed: ctx.liveFeed, emailPolicy: emailPolicyOf(ctx.config) },
            ),
          );
          ctx.wakeWorkers();
          return reply
            .code(202)
            .send({ channel: 'in_app', notification_id: notification?.id ?? null, email_id: null, to: null });
        }
        const user = await db
          .selectFrom('users')
          .select(['email', 'customer_id'])
          .where('id', '=', userId)
          .executeTakeFirst();
        if (!user) throw notFound('User');
        const [emailId] = await db.transaction().execute((trx) =>
          recordEmails(
            trx,
            [
              {
                customer_id: user.customer_id,
                user_id: userId,
                notification_id: null,
                type: 'system',
                kind: 'test',
                to_address: user.email,
                subject: 'SecureBase test email',
                status: 'queued',
                send_after: now.toISOString(),
              },
            ],
            now,
          ),
        );
        ctx.wakeWorkers();
        return reply
          .code(202)
          .send({ channel: 'email', notification_id: null, email_id: emailId ?? null, to: user.email });
      },
    );
  };
}
