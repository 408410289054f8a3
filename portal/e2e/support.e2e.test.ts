import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
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

/** The header's bell: a link or button whose accessible name starts with "Notifications". */
const bellOf = (page: Page) =>
  page
    .getByRole('banner')
    .getByRole('link', { name: /^Notifications/ })
    .or(page.getByRole('banner').getByRole('button', { name: /^Notifications/ }))
    .first();

/** The bell's accessible name, however it is given (aria-label or content), from the accessibility tree. */
async function bellName(page: Page): Promise<string> {
  return /"([^"]*)"/.exec(await bellOf(page).ariaSnapshot())?.[1] ?? '';
}

/** The unread count the bell names ("Notifications, 3 unread"), or null when it names none. */
async function bellCount(page: Page): Promise<number | null> {
  const match = /Notifications.*\b([1-9]\d*)\b unread/.exec(await bellName(page));
  return match?.[1] ? Number(match[1]) : null;
}

/** Polls `check` until it holds; fails with `what` after a generous deadline. */
const eventually = (check: () => Promise<boolean>, what: string) => waitFor(check, 15_000, what);

describe('support desk', { skip: skipWithoutChromium }, () => {
  const portal = portalSuite();

  it('a customer opens a ticket, an agent answers from the queue, the reply arrives live, the customer resolves and rates', async () => {
    const subject = 'Export of the audit log fails';
    const internalNote = 'Internal: the tenant is still on the legacy export worker.';
    const publicReply = 'We have moved your export to the new worker; please try again.';

    // (a) The owner: the list with SLA badges, a status filter, the create form.
    const ownerContext = await desktopContext(portal.browser, portal.server.baseUrl);
    const owner = await guardedPage(ownerContext);
    await logIn(owner.page, portal.server.baseUrl, DEMO.owner);
    await owner.page.getByRole('heading', { name: 'Support' }).waitFor();
    const rows = owner.page.getByRole('table', { name: 'Tickets' }).getByRole('row');
    await rows.nth(1).waitFor();
    await owner.page
      .getByText(/Response due in|Resolution due in|At risk|SLA breached|SLA met/)
      .first()
      .waitFor();
    await assertAccessible(owner.page, 'the support list');
    await screenshots(owner.page, 'support-list');

    await owner.page.getByLabel('Status').selectOption('resolved');
    await owner.page.waitForURL((url) => url.searchParams.get('status') === 'resolved');
    // The filtered page has replaced the first one once every row says Resolved.
    const statusCells = owner.page.getByRole('table', { name: 'Tickets' }).locator('tbody tr td:nth-child(2)');
    await statusCells.first().waitFor();
    const onlyResolved = async () => {
      const statuses = await statusCells.allInnerTexts();
      return statuses.length > 0 && statuses.every((status) => status === 'Resolved');
    };
    await eventually(onlyResolved, 'the list shows only resolved tickets');
    // The filter survives a reload: it lives in the address.
    await owner.page.reload();
    assert.equal(await owner.page.getByLabel('Status').inputValue(), 'resolved');
    await eventually(onlyResolved, 'the reloaded list shows only resolved tickets');

    await owner.page.getByRole('link', { name: 'New ticket' }).click();
    await owner.page.waitForURL((url) => url.pathname === '/support/new');
    await owner.page.getByLabel('Subject').fill('VPN');
    await owner.page.getByLabel('Description').fill('Too short');
    await owner.page.getByRole('button', { name: 'Create ticket' }).click();
    await owner.page.getByText('Subject needs at least 5 characters (3 so far)').waitFor();
    await owner.page.getByText('Description needs at least 20 characters (9 so far)').waitFor();
    assert.equal(new URL(owner.page.url()).pathname, '/support/new', 'nothing was sent');
    await assertAccessible(owner.page, 'the new ticket form with errors');

    await owner.page.getByLabel('Subject').fill(subject);
    await owner.page
      .getByLabel('Description')
      .fill('Since Monday the **audit log export** stops at 50 %.\n\n- open Settings\n- click *Export*');
    await owner.page.getByLabel('Priority').selectOption('high');
    // One file the server takes and one it refuses by its bytes (a Windows executable).
    owner.guard.expect('/attachments', 415);
    await owner.page.getByLabel('Attachments').setInputFiles([
      { name: 'steps.txt', mimeType: 'text/plain', buffer: Buffer.from('1. open Settings\n2. click Export\n') },
      {
        name: 'tool.exe',
        mimeType: 'application/octet-stream',
        buffer: Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'),
      },
    ]);
    await owner.page.getByText('steps.txt').waitFor();
    await owner.page.getByRole('tab', { name: 'Preview' }).click();
    await owner.page.locator('.markdown-preview strong', { hasText: 'audit log export' }).waitFor();
    await screenshots(owner.page, 'support-new');
    await owner.page.getByRole('button', { name: 'Create ticket' }).click();
    await owner.page.waitForURL((url) => /^\/support\/SB-\d+$/.test(url.pathname));
    const reference = new URL(owner.page.url()).pathname.split('/').pop() as string;
    await owner.page.getByRole('heading', { name: subject }).waitFor();
    await owner.page.locator('.thread strong', { hasText: 'audit log export' }).waitFor();
    await owner.page
      .getByText(/Response due in|At risk/)
      .first()
      .waitFor();
    await owner.page
      .getByRole('alert')
      .filter({ hasText: /tool\.exe: The file is not accepted/ })
      .waitFor();
    await owner.page.locator('.thread').getByRole('link', { name: 'steps.txt' }).waitFor();
    // The reply is grouped into the ticket's open notification (the "we received" receipt); with the
    // receipt read, the reply makes the thread unread again, so the bell's count must rise.
    await eventually(async () => {
      const inbox = (await (await owner.page.request.get('/v1/notifications?limit=50')).json()) as {
        notifications: Array<{ action_url: string | null }>;
      };
      return inbox.notifications.some((notification) => notification.action_url === `/support/${reference}`);
    }, 'the receipt of the new ticket is in the inbox');
    const csrf = String(await owner.page.evaluate("localStorage.getItem('securebase.csrf')"));
    const marked = await owner.page.request.post('/v1/notifications/mark-read', {
      data: { all: true },
      headers: { 'x-csrf-token': csrf },
    });
    assert.equal(marked.status(), 200);
    // With everything read, the bell names no unread count.
    await eventually(async () => (await bellCount(owner.page)) === null, 'the bell shows nothing unread');

    // (b) The agent, in a second browser context: the queue, the ticket, an internal note, a reply.
    const agentContext = await desktopContext(portal.browser, portal.server.baseUrl);
    const agent = await guardedPage(agentContext);
    await logIn(agent.page, portal.server.baseUrl, DEMO.agent);
    await agent.page.getByRole('link', { name: 'Support Queue' }).click();
    await agent.page.getByRole('tab', { name: 'Unassigned', selected: true }).waitFor();
    const row = agent.page.getByRole('row').filter({ hasText: reference });
    await row.waitFor();
    await assertAccessible(agent.page, 'the staff queue');
    await screenshots(agent.page, 'staff-queue');
    // Taking the ticket moves it from Unassigned to Mine.
    const assignee = row.getByLabel(`Assignee of ${reference}`);
    const myself = await assignee.locator('option', { hasText: /^Me \(/ }).getAttribute('value');
    assert.ok(myself, 'the assignee list offers "Me"');
    await assignee.selectOption(myself);
    await row.waitFor({ state: 'detached' });
    await agent.page.getByRole('tab', { name: 'Mine' }).click();
    await agent.page.waitForURL((url) => url.searchParams.get('view') === 'mine');
    const mine = agent.page.getByRole('row').filter({ hasText: reference });
    await mine.getByRole('link', { name: new RegExp(subject) }).click();
    await agent.page.waitForURL((url) => /^\/support\/[0-9a-f-]{36}$/.test(url.pathname));
    await agent.page.getByRole('heading', { name: subject }).waitFor();

    await agent.page.getByLabel(/Internal note/).check();
    await agent.page.getByLabel('Note for staff only').fill(internalNote);
    await agent.page.getByRole('button', { name: 'Add internal note' }).click();
    const note = agent.page.getByRole('article').filter({ hasText: internalNote });
    await note.waitFor();
    await note.locator('.badge-internal', { hasText: 'Internal note' }).waitFor();

    await agent.page.getByLabel('Your reply').fill(publicReply);
    await agent.page.getByRole('button', { name: 'Send reply' }).click();
    const reply = agent.page.getByRole('article', { name: /^Message from/ }).filter({ hasText: publicReply });
    await reply.waitFor();
    assert.equal(await reply.locator('.badge-internal').count(), 0, 'the public reply is not marked internal');
    await assertAccessible(agent.page, 'the ticket page for staff');
    // The full-page shot starts at the top, where the sticky header belongs.
    await agent.page.evaluate('window.scrollTo(0, 0)');
    await screenshots(agent.page, 'staff-ticket');

    // (c) Back on the owner's page, without a reload: the reply arrives, the note never does.
    await owner.page.getByRole('article').filter({ hasText: publicReply }).waitFor();
    assert.equal(await owner.page.getByText(internalNote).count(), 0, 'the internal note is not shown to the customer');
    assert.equal(await owner.page.locator('.badge-internal').count(), 0);
    // The reply raised the customer's bell from nothing unread to a count, without a reload.
    await eventually(
      async () => (await bellCount(owner.page)) !== null,
      'the bell names an unread count (accessible name /Notifications.*\\b[1-9]\\d*\\b unread/)',
    );
    await assertAccessible(owner.page, 'the ticket page');
    await owner.page.evaluate('window.scrollTo(0, 0)');
    await screenshots(owner.page, 'support-ticket');

    // (d) The owner resolves the ticket and rates the support.
    await owner.page.getByRole('button', { name: 'Resolve' }).click();
    await owner.page.getByRole('heading', { name: 'How did we do?' }).waitFor();
    await owner.page.locator('.ticket-meta').getByText('Resolved', { exact: true }).waitFor();
    await owner.page.getByRole('listitem').filter({ hasText: 'Status: Open → Resolved' }).first().waitFor();
    await owner.page.getByRole('button', { name: 'Send rating' }).click();
    await owner.page.getByText('Choose a rating from 1 to 5').waitFor();
    await owner.page.getByRole('radio', { name: /^5/ }).check();
    await owner.page.getByLabel('Anything to add? (optional)').fill('Quick and clear.');
    await owner.page.getByRole('button', { name: 'Send rating' }).click();
    await owner.page.getByRole('heading', { name: 'Your rating' }).waitFor();
    await owner.page.getByText('5 of 5').waitFor();
    await owner.page.getByText('Quick and clear.').waitFor();
    await assertAccessible(owner.page, 'the rated ticket');

    agent.guard.assertClean();
    owner.guard.assertClean();
    await agentContext.close();
    await ownerContext.close();
  });
});
