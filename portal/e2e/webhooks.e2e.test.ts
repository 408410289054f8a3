import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import {
  assertAccessible,
  DEMO,
  desktopContext,
  guardedPage,
  logIn,
  screenshots,
  skipWithoutChromium,
  portalSuite,
} from './harness.ts';
import { waitFor } from '../../src/testing/wait.ts';

interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 that answers 200 and keeps every request. */
async function startReceiver(): Promise<{ url: string; received: ReceivedRequest[]; close(): Promise<void> }> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'content-type': 'application/json', 'x-receiver': 'e2e' });
      response.end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks/securebase`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls until `find` returns a value (state, not time: the deadline only bounds a hang). */
async function eventually<T>(what: string, find: () => T | undefined): Promise<T> {
  let found: T | undefined;
  await waitFor(() => (found = find()) !== undefined, 30_000, what);
  return found as T;
}

const eventType = (request: ReceivedRequest) => (JSON.parse(request.body) as { type: string }).type;

/** Verifies a received request as a receiver would, with the `standardwebhooks` package. */
function verify(secret: string, request: ReceivedRequest): unknown {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
  return new Webhook(secret).verify(request.body, headers);
}

/** Creates a ticket through the API as the logged-in user (the event the endpoint subscribes to). */
async function createTicket(page: Page): Promise<void> {
  const csrf = (await page.evaluate("localStorage.getItem('securebase.csrf')")) as string | null;
  const response = await page.request.post('/v1/support/tickets', {
    headers: { 'x-csrf-token': csrf ?? '' },
    data: {
      subject: 'Webhook delivery check',
      description: 'A ticket created by the webhook browser test to produce a ticket.created event.',
    },
  });
  assert.equal(response.status(), 201, await response.text());
}

describe('webhooks', { skip: skipWithoutChromium }, () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    receiver = await startReceiver();
  });
  after(async () => receiver?.close());
  const portal = portalSuite();

  it('adds an endpoint, shows its secret once, tests it, logs a signed delivery, rotates, disables and enables', async () => {
    const context = await desktopContext(portal.browser, portal.server.baseUrl);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: portal.server.baseUrl });
    const { page, guard } = await guardedPage(context);
    await logIn(page, portal.server.baseUrl, DEMO.owner);
    await page.goto('/webhooks');
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();

    // Create: the browser refuses a malformed URL before the server sees it.
    await page.getByRole('button', { name: 'Add endpoint' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Add endpoint' });
    await dialog.getByRole('checkbox', { name: /^ticket\.created/ }).waitFor();
    await dialog.getByLabel('Endpoint URL').fill('not a url');
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();
    await dialog.getByText('Enter a full https:// URL').waitFor();
    await dialog.getByLabel('Endpoint URL').fill(receiver.url);
    await dialog.getByLabel('Description (optional)').fill('E2E receiver');
    await dialog.getByRole('checkbox', { name: /^ticket\.created/ }).check();
    await dialog.getByRole('checkbox', { name: /^ticket\.resolved/ }).check();
    const ticketCreated = dialog
      .locator('.wh-event')
      .filter({ has: page.getByText('ticket.created', { exact: true }) });
    await ticketCreated.getByText('Example payload').click();
    await ticketCreated.locator('pre').filter({ hasText: '"reference": "SB-1042"' }).waitFor();
    await assertAccessible(page, 'the create endpoint dialog');
    await screenshots(page, 'webhook-create');
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();

    // The secret, once, with a copy button.
    const secretDialog = page.getByRole('dialog', { name: 'Endpoint added' });
    await secretDialog.getByText('you will not see it again').waitFor();
    const secret = (await secretDialog.getByTestId('one-time-secret').textContent()) ?? '';
    assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    await secretDialog.getByRole('button', { name: 'Copy signing secret' }).click();
    await secretDialog.getByText('Copied').waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), secret);
    await secretDialog.getByRole('button', { name: 'Done' }).click();
    await secretDialog.waitFor({ state: 'detached' });
    assert.equal(await page.getByText(secret).count(), 0, 'the secret is not shown again');

    const row = page.getByRole('row').filter({ hasText: receiver.url });
    await row.getByText('Enabled').waitFor();
    await assertAccessible(page, 'the webhooks page');
    await screenshots(page, 'webhooks');

    // Test send: the result inline, and the receiver got a request signed with the secret shown.
    await row.getByRole('link', { name: receiver.url }).click();
    await page.getByRole('heading', { name: 'E2E receiver', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Send test' }).click();
    const result = page.getByRole('status', { name: 'Test result' });
    await result.getByText('Delivered').waitFor();
    await result.getByText('200', { exact: true }).waitFor();
    const testRequest = await eventually('the test request', () =>
      receiver.received.find((request) => eventType(request) === 'webhook.test'),
    );
    assert.equal((verify(secret, testRequest) as { type: string }).type, 'webhook.test');

    // A real event: the receiver gets it, then the log shows it delivered.
    await createTicket(page);
    const delivered = await eventually('the ticket.created delivery', () =>
      receiver.received.find((request) => eventType(request) === 'ticket.created'),
    );
    assert.equal((verify(secret, delivered) as { type: string }).type, 'ticket.created');
    await page.getByRole('button', { name: 'Refresh' }).click();
    const logRow = page.getByRole('row').filter({ hasText: 'ticket.created' });
    await logRow.getByText('Delivered').waitFor();

    // Its attempt: the signed request and the receiver's answer.
    await logRow.getByRole('button', { name: /^Details/ }).click();
    const detail = page.getByRole('dialog', { name: 'Delivery' });
    await detail.getByText('Attempt 1 (scheduled)').waitFor();
    await detail.getByRole('rowheader', { name: 'webhook-signature' }).waitFor();
    await detail.getByRole('cell', { name: String(delivered.headers['webhook-id']), exact: true }).waitFor();
    await detail.getByRole('cell', { name: 'e2e', exact: true }).waitFor();
    await detail.getByText('"received": true').waitFor();
    await assertAccessible(page, 'the delivery dialog');

    // Retry: sent again with the same webhook-id.
    await detail.getByRole('button', { name: 'Retry this delivery' }).click();
    await eventually('the retried delivery', () =>
      receiver.received.filter((request) => request.headers['webhook-id'] === delivered.headers['webhook-id']).length >
      1
        ? true
        : undefined,
    );
    await detail.getByText('Attempt 2 (manual retry)').waitFor();
    await detail.getByRole('button', { name: 'Close' }).click();

    // Rotate: confirmed in a dialog; the new secret is shown once and signs the next test.
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page
      .getByRole('dialog', { name: 'Rotate the signing secret?' })
      .getByRole('button', { name: 'Rotate secret' })
      .click();
    const rotated = page.getByRole('dialog', { name: 'New signing secret' });
    await rotated.getByText('you will not see it again').waitFor();
    const newSecret = (await rotated.getByTestId('one-time-secret').textContent()) ?? '';
    assert.match(newSecret, /^whsec_/);
    assert.notEqual(newSecret, secret);
    await rotated.getByRole('button', { name: 'Done' }).click();
    await rotated.waitFor({ state: 'detached' });
    const before = receiver.received.length;
    await page.getByRole('button', { name: 'Send test' }).click();
    const secondTest = await eventually('the second test request', () => receiver.received[before]);
    assert.equal((verify(newSecret, secondTest) as { type: string }).type, 'webhook.test');

    // The log's filters: nothing failed.
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No deliveries match these filters').waitFor();
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Event type').selectOption('ticket.created');
    await logRow.waitFor();

    // Edit: the dialog opens with the endpoint's values.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const edit = page.getByRole('dialog', { name: 'Edit endpoint' });
    assert.equal(await edit.getByLabel('Endpoint URL').inputValue(), receiver.url);
    assert.equal(await edit.getByRole('checkbox', { name: /^ticket\.resolved/ }).isChecked(), true);
    await edit.getByLabel('Description (optional)').fill('E2E ticket receiver');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'E2E ticket receiver', level: 1 }).waitFor();

    // Recover since yesterday: nothing failed, so nothing is queued.
    await page.getByRole('button', { name: 'Recover' }).click();
    await page.getByText('0 deliveries queued again.').waitFor();

    // Disable, then enable again.
    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page.getByRole('button', { name: 'Enable', exact: true }).waitFor();
    await page.locator('.wh-facts').getByText('Disabled', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Enable', exact: true }).click();
    await page.getByRole('button', { name: 'Disable', exact: true }).waitFor();
    await page.locator('.wh-facts').getByText('Enabled', { exact: true }).waitFor();

    await page.getByRole('tab', { name: 'Python' }).click();
    await page.getByText('secret.removeprefix("whsec_")').waitFor();
    await assertAccessible(page, 'the webhook page');
    await screenshots(page, 'webhook-detail');
    guard.assertClean();
    await context.close();
  });

  it('shows a viewer the endpoints without the controls to change them', async () => {
    const context = await desktopContext(portal.browser, portal.server.baseUrl);
    const { page, guard } = await guardedPage(context);
    await logIn(page, portal.server.baseUrl, DEMO.viewer);
    await page.goto('/webhooks');
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await page.getByRole('link', { name: receiver.url }).click();
    await page.getByRole('heading', { name: 'Delivery log' }).waitFor();
    await page.getByRole('heading', { name: 'Verify a signature' }).waitFor();
    for (const name of [
      'Add endpoint',
      'Edit',
      'Disable',
      'Rotate secret',
      'Delete',
      'Send test',
      'Recover',
      'Retry',
    ]) {
      assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, `no ${name} button`);
    }
    await page
      .getByRole('button', { name: /^Details/ })
      .first()
      .waitFor();
    guard.assertClean();
    await context.close();
  });

  it('deletes an endpoint after confirming, and says when one is not found', async () => {
    const context = await desktopContext(portal.browser, portal.server.baseUrl);
    const { page, guard } = await guardedPage(context);
    await logIn(page, portal.server.baseUrl, DEMO.owner);
    const csrf = (await page.evaluate("localStorage.getItem('securebase.csrf')")) as string | null;
    const created = await page.request.post('/v1/webhooks', {
      headers: { 'x-csrf-token': csrf ?? '' },
      data: { url: `${receiver.url}/to-delete`, description: 'To delete', events: ['invoice.paid'] },
    });
    assert.equal(created.status(), 201, await created.text());
    const { webhook } = (await created.json()) as { webhook: { id: string } };

    await page.goto(`/webhooks/${webhook.id}`);
    await page.getByRole('heading', { name: 'To delete', level: 1 }).waitFor();
    await page
      .getByRole('heading', { name: 'No deliveries yet' })
      .or(page.getByText('No deliveries yet'))
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Delete this endpoint?' })
      .getByRole('button', { name: 'Delete endpoint' })
      .click();
    await page.waitForURL((url) => url.pathname === '/webhooks');
    await page.getByRole('link', { name: receiver.url, exact: true }).waitFor();
    assert.equal(await page.getByRole('link', { name: `${receiver.url}/to-delete` }).count(), 0);

    guard.expect(`/v1/webhooks/${webhook.id}`, 404);
    await page.goto(`/webhooks/${webhook.id}`);
    await page.getByRole('alert').filter({ hasText: 'Could not load this' }).waitFor();
    guard.assertClean();
    await context.close();
  });
});
