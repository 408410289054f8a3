import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import type { APIRequestContext, Page } from 'playwright-core';
import {
  assertAccessible,
  DEMO,
  DEMO_PASSWORD,
  desktopContext,
  guardedPage,
  logIn,
  screenshots,
  skipWithoutChromium,
  portalSuite,
} from './harness.ts';

/** Logs `request`'s context in through the API; returns the CSRF token writes need. */
async function apiLogIn(request: APIRequestContext, email: string, password = DEMO_PASSWORD): Promise<string> {
  const response = await request.post('/v1/auth/login', { data: { email, password } });
  assert.equal(response.status(), 200, await response.text());
  return ((await response.json()) as { csrf_token: string }).csrf_token;
}

/**
 * A TCP relay in front of the server whose connections the test can drop, the way a train tunnel
 * does: `goOffline` cuts every open connection and holds new ones unanswered; `goOnline` lets the
 * held ones through. (Chromium's offline emulation leaves an open event stream flowing.)
 */
async function startRelay(target: string) {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  const held: Socket[] = [];
  let offline = false;
  let onHeld: (() => void) | null = null;
  const pass = (client: Socket) => {
    const upstream = connect(Number(port), hostname);
    open.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream).pipe(client);
  };
  const relay = createServer((client) => {
    if (!offline) return pass(client);
    client.on('error', () => client.destroy());
    held.push(client);
    onHeld?.();
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const address = relay.address();
  const relayPort = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${relayPort}`,
    goOffline() {
      offline = true;
      for (const socket of open) socket.destroy();
    },
    /** Resolves once the browser has tried to connect while offline. */
    attempted: () =>
      new Promise<void>((resolve) => {
        if (held.length > 0) resolve();
        else onHeld = resolve;
      }),
    goOnline() {
      offline = false;
      for (const client of held.splice(0)) pass(client);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of [...open, ...held]) socket.destroy();
        relay.close(() => resolve());
      }),
  };
}

function bellOf(page: Page) {
  return page.getByRole('banner').getByRole('button', { name: /^Notifications/ });
}

/** The unread count in the bell's accessible name (0 when it is just "Notifications"). */
async function bellCount(page: Page): Promise<number> {
  const name = (await bellOf(page).getAttribute('aria-label')) ?? '';
  return Number(/(\d+) unread/.exec(name)?.[1] ?? 0);
}

async function waitForBell(page: Page, count: number): Promise<void> {
  const name = count === 0 ? 'Notifications' : `Notifications, ${count} unread`;
  await page.getByRole('banner').getByRole('button', { name, exact: true }).waitFor();
}

describe('notifications', { skip: skipWithoutChromium }, () => {
  const portal = portalSuite();

  it('shows the inbox in the bell and on its page, live, and resumes after a dropped connection', async () => {
    // The owner's browser reaches the server through a relay that can drop the connection.
    const relay = await startRelay(portal.server.baseUrl);
    const context = await desktopContext(portal.browser, relay.url);
    const { page, guard } = await guardedPage(context);
    await logIn(page, relay.url, DEMO.owner);

    // The demo data has notified the owner (cost anomalies, tickets…).
    await page
      .getByRole('banner')
      .getByRole('button', { name: /^Notifications, \d+ unread$/ })
      .waitFor();
    const unreadAtStart = await bellCount(page);
    assert.ok(unreadAtStart > 0);

    // The bell's menu: the newest items, then back to the bell with Escape.
    await bellOf(page).click();
    const menu = page.getByRole('menu');
    await menu.getByRole('menuitem').first().waitFor();
    await menu.getByRole('menuitem', { name: 'See all' }).waitFor();
    await assertAccessible(page, 'the bell menu');
    await screenshots(page, 'notifications-bell-open');
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    await page.locator('header button[aria-label^="Notifications"]:focus').waitFor();

    // By keyboard: the first item opens its page and is marked read.
    await page.keyboard.press('Enter');
    await menu.getByRole('menuitem').first().waitFor();
    const firstTitle = (await menu.locator('.bell-item-title').first().textContent())?.replace(/^Unread: /, '') ?? '';
    await page.locator('[role="menuitem"]:focus').waitFor();
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname !== '/support');
    await waitForBell(page, unreadAtStart - 1);
    const unread = unreadAtStart - 1;

    await bellOf(page).click();
    await menu.getByRole('menuitem').filter({ hasText: firstTitle, hasNotText: 'Unread:' }).first().waitFor();
    await menu.getByRole('menuitem', { name: 'See all' }).click();
    await page.waitForURL((url) => url.pathname === '/notifications');
    const list = page.getByRole('list', { name: 'Notifications' });
    await list.getByRole('listitem').first().waitFor();
    await assertAccessible(page, 'the notifications page');
    await screenshots(page, 'notifications');

    // Tabs filter by type; the All tab counts everything unread.
    await page.getByRole('tab', { name: new RegExp(`^All ${unread} unread$`) }).waitFor();
    await page.getByRole('tab', { name: /^Billing and costs/ }).click();
    await page.getByRole('tab', { name: /^Billing and costs/, selected: true }).waitFor();
    await list.getByText('Billing and costs').first().waitFor();
    await page.getByRole('tab', { name: /^All/ }).click();
    await page.getByRole('tab', { name: /^All/, selected: true }).waitFor();

    // Marking one read takes one off the bell, without a reload.
    await list
      .getByRole('button', { name: /^Mark read: / })
      .first()
      .click();
    await waitForBell(page, unread - 1);

    // Archive one: it leaves the inbox and is listed under Archived.
    const archive = list.getByRole('button', { name: /^Archive: / }).first();
    const archivedTitle = ((await archive.getAttribute('aria-label')) ?? '').replace(/^Archive: /, '');
    const sameTitle = list.getByRole('button', { name: `Archive: ${archivedTitle}`, exact: true });
    const countBefore = await sameTitle.count();
    await archive.click();
    await sameTitle.nth(countBefore - 1).waitFor({ state: 'detached' });
    await page.getByLabel('Show', { exact: true }).selectOption('archived');
    await list.getByRole('button', { name: `Move to inbox: ${archivedTitle}` }).waitFor();
    await page.getByLabel('Show', { exact: true }).selectOption('all');

    // Mark all read: the bell says just "Notifications".
    await page.getByRole('button', { name: 'Mark all read' }).click();
    await waitForBell(page, 0);
    await page.getByRole('tab', { name: 'All', exact: true }).waitFor();

    // An agent replies publicly on one of the owner's tickets, from another browser.
    const agent = await desktopContext(portal.browser, portal.server.baseUrl);
    const agentCsrf = await apiLogIn(agent.request, DEMO.agent);
    const tickets = (await (await page.request.get('/v1/support/tickets?limit=50')).json()) as {
      tickets: Array<{ id: string; reference: string; status: string }>;
    };
    const open = tickets.tickets.filter((ticket) => ticket.status !== 'closed' && ticket.status !== 'resolved');
    assert.ok(open.length >= 2, `the demo owner needs open tickets: ${JSON.stringify(tickets.tickets)}`);
    const reply = async (ticketId: string, body: string) => {
      const response = await agent.request.post(`/v1/support/tickets/${ticketId}/comments`, {
        data: { body, visibility: 'public' },
        headers: { 'x-csrf-token': agentCsrf },
      });
      assert.ok(response.ok(), await response.text());
    };
    await reply(open[0]!.id, 'We have found the cause and are rolling out a fix today.');
    await waitForBell(page, 1);
    // The list shows it at the top without a reload.
    await list
      .getByRole('listitem')
      .first()
      .getByText(/^New reply on/)
      .waitFor();

    // A high-priority announcement from the platform admin toasts.
    const setupToken = /setup#token=(\S+) in a browser/.exec(portal.server.output())?.[1];
    assert.ok(setupToken, `no setup link in:\n${portal.server.output()}`);
    const admin = await desktopContext(portal.browser, portal.server.baseUrl);
    const setup = await admin.request.post('/v1/auth/setup', {
      data: { token: setupToken, password: 'the admin password 2026' },
    });
    assert.equal(setup.status(), 200, await setup.text());
    const adminCsrf = await apiLogIn(admin.request, 'admin@securebase.local', 'the admin password 2026');
    const me = (await (await page.request.get('/v1/me')).json()) as { customer_id: string };
    const announced = await admin.request.post('/v1/notifications', {
      data: {
        title: 'Maintenance tonight',
        body: 'The portal is read-only from 22:00 to 22:30 UTC.',
        priority: 'high',
        type: 'system',
        action_url: '/notifications',
        customer_id: me.customer_id,
        roles: ['owner'],
      },
      headers: { 'x-csrf-token': adminCsrf },
    });
    assert.equal(announced.status(), 202, await announced.text());
    const toasts = page.getByRole('region', { name: 'Notifications as they arrive' });
    await toasts.getByRole('status').filter({ hasText: 'Maintenance tonight' }).waitFor();
    await waitForBell(page, 2);

    // The connection drops; a reply made meanwhile arrives once it is back, without a reload:
    // the browser resumes the stream with Last-Event-ID and the server replays what was missed.
    const resumedAfter = new Promise<string>((resolve) => {
      page.on('request', (request) => {
        if (!request.url().endsWith('/v1/notifications/stream')) return;
        void request.allHeaders().then((headers) => headers['last-event-id'] && resolve(headers['last-event-id']));
      });
    });
    relay.goOffline();
    await reply(open[1]!.id, 'An update while you were offline: the fix is deployed.');
    await relay.attempted();
    assert.equal(await bellCount(page), 2);
    relay.goOnline();
    assert.match(await resumedAfter, /^\d+$/);
    await waitForBell(page, 3);
    await list
      .getByRole('listitem')
      .first()
      .getByText(/^New reply on/)
      .waitFor();
    // The stream the relay cut is reported by the browser; that is the point, not a fault of the page.
    const cutStream = /ERR_INCOMPLETE_CHUNKED_ENCODING/;
    guard.problems.splice(0, guard.problems.length, ...guard.problems.filter((line) => !cutStream.test(line)));

    guard.assertClean();
    await agent.close();
    await admin.close();
    await context.close();
    await relay.close();
  });

  it('saves a preference, quiet hours with a time zone, and mutes a thread', async () => {
    const context = await desktopContext(portal.browser, portal.server.baseUrl);
    const { page, guard } = await guardedPage(context);
    await logIn(page, portal.server.baseUrl, DEMO.owner);

    // Mute a thread from the inbox.
    await page.goto('/notifications');
    const list = page.getByRole('list', { name: 'Notifications' });
    await list
      .getByRole('button', { name: /^Mute this thread: / })
      .first()
      .click();
    await list.getByText('Thread muted.').waitFor();

    await page.goto('/settings/notifications');
    const billing = page.getByRole('checkbox', { name: 'Email for Billing and costs' });
    await billing.waitFor();
    await assertAccessible(page, 'the notification settings');
    await screenshots(page, 'settings-notifications');

    const wasChecked = await billing.isChecked();
    await billing.click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    assert.equal(await page.getByRole('checkbox', { name: 'In-app for Billing and costs' }).isDisabled(), true);

    const quiet = page.getByRole('checkbox', { name: /^Hold emails during quiet hours/ });
    if (!(await quiet.isChecked())) await quiet.click();
    await page.getByLabel('From').fill('22:00');
    await page.getByLabel('To').fill('07:00');
    await page.getByLabel('Time zone').selectOption('Europe/Berlin');
    await page.getByRole('button', { name: 'Save quiet hours' }).click();
    await page.getByText('Quiet from 22:00 to 07:00 Europe/Berlin', { exact: true }).waitFor();

    await page.reload();
    await billing.waitFor();
    assert.equal(await billing.isChecked(), !wasChecked);
    await page.getByText('Quiet from 22:00 to 07:00 Europe/Berlin', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('Time zone').inputValue(), 'Europe/Berlin');

    // The muted thread is listed and can be unmuted.
    const mutes = page.getByRole('region', { name: 'Muted threads' });
    await mutes.getByRole('button', { name: /^Unmute / }).click();
    await mutes.getByText('No muted threads').waitFor();

    // A test in-app notification reaches the bell.
    const before = await bellCount(page);
    await page.getByRole('button', { name: 'Send a test in-app notification' }).click();
    await page.getByRole('status').filter({ hasText: 'Sent:' }).waitFor();
    await waitForBell(page, before + 1);

    guard.assertClean();
    await context.close();
  });
});
