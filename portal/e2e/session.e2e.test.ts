import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

describe('logging in and out', { skip: skipWithoutChromium }, () => {
  const portal = portalSuite();

  it('logs in with the demo credentials, shows the tenant, and logs out', async () => {
    const context = await desktopContext(portal.browser, portal.server.baseUrl);
    const { page, guard } = await guardedPage(context);
    await page.goto('/login');
    await assertAccessible(page, 'the login page');
    await screenshots(page, 'login');

    guard.expect('/v1/auth/login', 401);
    await page.getByLabel('Email').fill(DEMO.owner);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /password/i })
      .waitFor();

    await logIn(page, portal.server.baseUrl, DEMO.owner);
    await page.getByText('Northwind', { exact: false }).first().waitFor();
    assert.equal(new URL(page.url()).pathname, '/support');

    await page.getByRole('button', { name: /^Account/ }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    // The session is gone on the server too: a reload of a portal page lands on the login page.
    guard.expect('/v1/me', 401);
    await page.goto('/support');
    await page.waitForURL((url) => url.pathname === '/login');
    guard.assertClean();
    await context.close();
  });

  it('sets the platform admin password from the printed setup link', async () => {
    const link = /open (http\S+\/setup#token=\S+) in a browser/.exec(portal.server.output())?.[1];
    assert.ok(link, `no setup link in:\n${portal.server.output()}`);
    const context = await desktopContext(portal.browser, portal.server.baseUrl);
    const { page, guard } = await guardedPage(context);
    await page.goto(link);
    await assertAccessible(page, 'the setup page');
    await screenshots(page, 'setup');
    await page.getByLabel('New password').fill('short');
    await page.getByLabel('Repeat the password').fill('short');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('At least 12 characters', { exact: true }).waitFor();
    await page.getByLabel('New password').fill('the admin password 2026');
    await page.getByLabel('Repeat the password').fill('the admin password 2026');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('heading', { name: 'Password set' }).waitFor();
    await logIn(page, portal.server.baseUrl, 'admin@securebase.local', 'the admin password 2026');
    await page.getByRole('link', { name: 'Support Queue' }).waitFor();
    guard.assertClean();
    await context.close();
  });
});
