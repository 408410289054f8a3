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

/** The one-time secret of the open secret dialog, after which the dialog is closed. */
async function takeOneTimeSecret(page: Page, dialogTitle: RegExp): Promise<string> {
  const dialog = page.getByRole('dialog', { name: dialogTitle });
  await dialog.waitFor();
  await dialog.getByText('you will not see it again').waitFor();
  const secret = (await dialog.getByTestId('one-time-secret').textContent()) ?? '';
  assert.ok(secret.length > 20, `secret: ${secret}`);
  return secret;
}

async function closeSecretDialog(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByTestId('one-time-secret').waitFor({ state: 'detached' });
}

describe('settings: API keys and users', { skip: skipWithoutChromium }, () => {
  const portal = portalSuite();

  const status = async (path: string, key: string) =>
    (await fetch(`${portal.server.baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } })).status;

  it('creates an API key shown once that works until it is revoked', async () => {
    const context = await desktopContext(portal.browser, portal.server.baseUrl);
    const { page, guard } = await guardedPage(context);
    await logIn(page, portal.server.baseUrl, DEMO.owner);
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByRole('table').or(page.getByText('No API keys yet')).waitFor();
    await assertAccessible(page, 'the API keys page');
    await screenshots(page, 'settings-api-keys');

    await page.getByRole('button', { name: 'Create API key' }).click();
    const form = page.getByRole('dialog', { name: 'Create API key' });
    await form.getByRole('button', { name: 'Create key' }).click();
    await form.getByText('Give the key a name').waitFor();
    await form.getByLabel('Name').fill('E2E deploy key');
    await form.getByText('Give the key a name').waitFor({ state: 'detached' });
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByRole('checkbox', { name: 'tickets:read' }).check();
    await screenshots(page, 'settings-api-key-form');
    await form.getByRole('button', { name: 'Create key' }).click();

    const secret = await takeOneTimeSecret(page, /E2E deploy key/);
    assert.match(secret, /^sb_live_/);
    await assertAccessible(page, 'the API key created dialog');
    await screenshots(page, 'settings-api-key-created');
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: portal.server.baseUrl });
    await page.getByRole('button', { name: 'Copy API key' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), secret);
    await closeSecretDialog(page);

    const row = page.getByRole('row').filter({ hasText: 'E2E deploy key' });
    await row.getByText('Active').waitFor();
    await row.getByText('tickets:read').waitFor();
    assert.equal(await page.getByText(secret).count(), 0, 'the secret is gone from the page');
    assert.equal(await status('/v1/me', secret), 200);

    await row.getByRole('button', { name: 'Revoke E2E deploy key' }).click();
    const confirm = page.getByRole('dialog', { name: /Revoke “E2E deploy key”/ });
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await confirm.waitFor({ state: 'detached' });
    await row.getByText('Revoked').waitFor();
    assert.equal(await row.getByRole('button', { name: /Revoke/ }).count(), 0);
    assert.equal(await status('/v1/me', secret), 401);
    guard.assertClean();
    await context.close();
  });

  it('invites a user who sets a password from the setup link and logs in', async () => {
    const context = await desktopContext(portal.browser, portal.server.baseUrl);
    const { page, guard } = await guardedPage(context);
    await logIn(page, portal.server.baseUrl, DEMO.owner);
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.getByRole('row').filter({ hasText: DEMO.owner }).waitFor();
    await assertAccessible(page, 'the users page');
    await screenshots(page, 'settings-users');

    // The tenant's only owner cannot step down; the server's refusal shows on the row.
    guard.expect('/v1/users', 409);
    const ownerRow = page.getByRole('row').filter({ hasText: DEMO.owner });
    await ownerRow.getByRole('combobox').selectOption('admin');
    await ownerRow.getByRole('button', { name: /^Save role of/ }).click();
    await ownerRow.getByRole('alert').filter({ hasText: /owner/ }).waitFor();
    await ownerRow.getByRole('combobox').selectOption('owner');

    const email = `grace-${Date.now()}@northwind.demo`;
    const password = 'grace invited 2026 password';
    await page.getByRole('button', { name: 'Invite user' }).click();
    const form = page.getByRole('dialog', { name: 'Invite user' });
    // An email already registered is refused by the server, named on the field.
    await form.getByLabel('Email').fill(DEMO.member);
    await form.getByLabel('Name').fill('Max Again');
    await form.getByRole('button', { name: 'Invite', exact: true }).click();
    await form.getByText('is already registered').waitFor();
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Name').fill('Grace Invitee');
    await form.getByLabel('Role').selectOption('admin');
    await form.getByRole('button', { name: 'Invite', exact: true }).click();
    const firstLink = await takeOneTimeSecret(page, /Grace Invitee is invited/);
    assert.ok(firstLink.startsWith(`${portal.server.baseUrl}/setup#token=`), firstLink);
    await closeSecretDialog(page);

    const row = page.getByRole('row').filter({ hasText: email });
    await row.getByText('Setup pending').waitFor();
    await row.getByLabel('Role of Grace Invitee').selectOption('member');
    await row.getByRole('button', { name: 'Save role of Grace Invitee' }).click();
    await row.getByRole('button', { name: 'Save role of Grace Invitee' }).waitFor({ state: 'detached' });

    // A lost link is replaced; the new one is the one that works.
    await row.getByRole('button', { name: 'New setup link for Grace Invitee' }).click();
    const link = await takeOneTimeSecret(page, /New setup link for Grace Invitee/);
    assert.notEqual(link, firstLink);
    await closeSecretDialog(page);

    const fresh = await desktopContext(portal.browser, portal.server.baseUrl);
    const invitee = await guardedPage(fresh);
    await invitee.page.goto(link);
    await invitee.page.getByLabel('New password').fill(password);
    await invitee.page.getByLabel('Repeat the password').fill(password);
    await invitee.page.getByRole('button', { name: 'Set password' }).click();
    await invitee.page.getByRole('heading', { name: 'Password set' }).waitFor();
    await logIn(invitee.page, portal.server.baseUrl, email, password);
    await invitee.page.getByRole('link', { name: 'Support', exact: true }).waitFor();
    // A member: no settings for admins.
    assert.equal(await invitee.page.getByRole('link', { name: 'Users' }).count(), 0);
    invitee.guard.assertClean();
    await fresh.close();

    await page.reload();
    await page.getByRole('row').filter({ hasText: email }).getByText('Active').waitFor();
    guard.assertClean();
    await context.close();
  });

  it('shows a member neither API keys nor users', async () => {
    const context = await desktopContext(portal.browser, portal.server.baseUrl);
    const { page, guard } = await guardedPage(context);
    await logIn(page, portal.server.baseUrl, DEMO.member);
    const nav = page.getByRole('navigation').first();
    await nav.getByRole('link', { name: 'Support', exact: true }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'API keys' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Users' }).count(), 0);
    await page.goto('/settings/api-keys');
    await page.getByText('Only admins manage API keys').waitFor();
    await assertAccessible(page, 'the API keys page for a member');
    await page.goto('/settings/users');
    await page.getByText('Only admins manage users').waitFor();
    guard.assertClean();
    await context.close();
  });
});
