import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { messyCur2 } from '../../src/forecasting/imports/testing/exports.ts';
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

/** The demo's anomalies are found by a background job after seeding; waits until the API lists some. */
async function anomaliesDetected(page: Page): Promise<void> {
  await waitFor(
    async () =>
      ((await (await page.request.get('/v1/cost/anomalies?limit=1')).json()) as { anomalies: unknown[] }).anomalies
        .length > 0,
    60_000,
    "the demo's anomalies",
  );
}

/**
 * Polls an expression in the page until it is true. page.evaluate, unlike waitForFunction, runs
 * through the DevTools protocol, which the page's CSP (no eval) does not govern.
 */
async function until(page: Page, expression: string, what: string): Promise<void> {
  await waitFor(async () => Boolean(await page.evaluate(expression)), 30_000, what);
}

/** Clicks an export link and returns the downloaded file. */
async function download(page: Page, name: string): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
  const path = await file.path();
  return readFile(path);
}

describe('the cost forecast page', { skip: skipWithoutChromium }, () => {
  const portal = portalSuite();

  it('shows the forecast, switches period and level, manages budgets, exports and imports', async () => {
    const context = await desktopContext(portal.browser, portal.server.baseUrl);
    const { page, guard } = await guardedPage(context);
    await logIn(page, portal.server.baseUrl, DEMO.owner);
    await anomaliesDetected(page);

    await page.goto('/forecast');
    const kpis = page.getByRole('list', { name: 'Forecast summary' });
    await kpis.getByText('Projected total').waitFor();
    await kpis.getByText('Backtest accuracy').waitFor();
    await page.locator('.forecast-chart canvas').first().waitFor();
    const chart = page.getByRole('img', { name: /Monthly cost chart/ });
    await chart.waitFor();
    const legend = page.getByRole('list', { name: 'Legend' });
    await legend.getByText('80 % interval').waitFor();

    // The controls are kept in the URL, and the legend names the level chosen.
    await page.getByRole('radio', { name: '12 months' }).click();
    await page.getByRole('radio', { name: 'High 95 %' }).click();
    await page.waitForURL((url) => url.searchParams.get('months') === '12' && url.searchParams.get('level') === 'high');
    await legend.getByText('95 % interval').waitFor();
    assert.ok(await page.getByRole('radio', { name: '12 months' }).isChecked());
    await page.getByRole('cell', { name: 'Nowcast' }).waitFor();
    assert.match((await chart.getAttribute('aria-label')) ?? '', /Forecast for 12 months/);

    // The by-service table sorts by name.
    const services = page.getByRole('region', { name: 'Cost by service' }).getByRole('table');
    const serviceHeader = services.getByRole('columnheader', { name: /Service/ });
    assert.equal(await serviceHeader.getAttribute('aria-sort'), 'none');
    await serviceHeader.getByRole('button').click();
    assert.equal(await serviceHeader.getAttribute('aria-sort'), 'ascending');
    const names = await services.locator('tbody tr td:first-child').allTextContents();
    assert.ok(names.length > 1);
    assert.deepEqual(
      names,
      [...names].sort((a, b) => a.localeCompare(b)),
    );

    // Anomalies are listed in their anchored section.
    const anomalies = page.locator('#anomalies');
    await anomalies.getByRole('table').locator('tbody tr').first().waitFor();
    await anomalies.getByRole('columnheader', { name: 'Severity' }).waitFor();

    await assertAccessible(page, 'the forecast page');
    // From the top: a full-page shot taken scrolled down draws the sticky top bar mid-page.
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshots(page, 'forecast');

    // A budget is created through the dialog and listed with its status.
    await page.getByRole('button', { name: 'New budget' }).click();
    const dialog = page.getByRole('dialog', { name: 'New budget' });
    await dialog.getByLabel('Name').fill('E2E production');
    await dialog.getByRole('button', { name: 'Create budget' }).click();
    await dialog.getByText('Enter a monthly limit above 0').waitFor();
    await dialog.getByLabel('Monthly limit').fill('50000');
    await dialog.getByText('Enter a monthly limit above 0').waitFor({ state: 'detached' });
    await dialog.getByLabel('Alert thresholds (%)').fill('50, 90, 100');
    await assertAccessible(page, 'the budget dialog');
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshots(page, 'forecast-budget-dialog');
    await dialog.getByRole('button', { name: 'Create budget' }).click();
    await dialog.waitFor({ state: 'detached' });
    const budget = page.locator('#budgets li', { hasText: 'E2E production' });
    await budget.waitFor();
    await budget.getByText(/Spent in \d{4}-\d{2}/).waitFor();
    await budget.getByText(/On track|Forecast over budget|Over budget/).waitFor();

    // A link to the budgets section lands on it once the page has loaded.
    await page.goto('/forecast?months=12&level=high#budgets');
    await until(
      page,
      `(() => {
        const top = document.getElementById('budgets')?.getBoundingClientRect().top ?? -1;
        return top >= 56 && top < innerHeight / 2 && document.activeElement.id === 'budgets';
      })()`,
      'the budgets section is scrolled to and focused',
    );

    // The exports download with the session cookie.
    const csv = (await download(page, 'Export CSV')).toString('utf8');
    assert.ok(csv.startsWith('Month,Forecast,Lower Bound,Upper Bound,MoM Change'), csv.slice(0, 80));
    assert.equal(csv.trim().split('\r\n').length, 13, 'the header and 12 months');
    const pdf = await download(page, 'Export PDF');
    assert.equal(pdf.subarray(0, 4).toString('latin1'), '%PDF');

    // The budget is edited, then deleted after confirming.
    const listed = page.locator('#budgets li', { hasText: 'E2E production' });
    await listed.getByRole('button', { name: 'Edit E2E production' }).click();
    const editor = page.getByRole('dialog', { name: 'Edit budget E2E production' });
    await editor.getByLabel('Monthly limit').fill('60000');
    await editor.getByRole('button', { name: 'Save budget' }).click();
    await editor.waitFor({ state: 'detached' });
    await listed.getByText(/60,000\.00 a month/).waitFor();
    await listed.getByRole('button', { name: 'Delete E2E production' }).click();
    await page
      .getByRole('dialog', { name: 'Delete budget E2E production' })
      .getByRole('button', { name: 'Delete budget' })
      .click();
    await listed.waitFor({ state: 'detached' });
    await page.getByText('No budgets yet').waitFor();

    // A billing file is uploaded and imported; its rejected rows are summarised.
    await page.getByLabel('Billing file', { exact: true }).setInputFiles({
      name: 'cur-2026-10.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(messyCur2()),
    });
    await page.getByRole('button', { name: 'Import the file' }).click();
    await page.getByText(/Import finished: \d+ rows imported, \d+ rejected/).waitFor({ timeout: 60_000 });
    await page
      .getByText(/rejected rows?/)
      .first()
      .waitFor();
    await kpis.getByText('Projected total').waitFor();

    guard.assertClean();
    await context.close();
  });

  it('offers budgets to admins only and the import to members and up', async () => {
    for (const [email, canImport] of [
      [DEMO.viewer, false],
      [DEMO.member, true],
    ] as const) {
      const context = await desktopContext(portal.browser, portal.server.baseUrl);
      const { page, guard } = await guardedPage(context);
      await logIn(page, portal.server.baseUrl, email);
      await page.goto('/forecast');
      await page.getByRole('list', { name: 'Legend' }).getByText('80 % interval').waitFor();
      await page.getByRole('heading', { name: 'Budgets' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'New budget' }).count(), 0, email);
      await page.getByRole('heading', { name: 'Import a billing file' }).waitFor({
        state: canImport ? 'visible' : 'detached',
      });
      guard.assertClean();
      await context.close();
    }
  });
});
