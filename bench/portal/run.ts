// Portal benchmark: the initial JavaScript and CSS a first visit downloads (gzipped, from the
// build), and the support page's first render in Chromium on the embedded server — first
// contentful paint, the list on screen, cumulative layout shift and JS heap — beside a baseline
// measured in the same run: a static HTML page of the same server's size class from a bare
// node:http server, which is the browser's own floor for a navigation and first paint.
// Usage: npm run bench:portal [-- --runs N]
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import {
  DEMO,
  desktopContext,
  launchChromium,
  logIn,
  skipWithoutChromium,
  startPortalServer,
} from '../../portal/e2e/harness.ts';
import { PORTAL_DIST } from '../../src/server/portal.ts';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 20;
const BUDGET_KB = 200;

/** Files the browser must fetch before the first render: the entry, its preloads and the CSS. */
function initialFiles(): string[] {
  const html = readFileSync(join(PORTAL_DIST, 'index.html'), 'utf8');
  return [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((match) => match[1] as string);
}

function gzipKb(file: string): number {
  return gzipSync(readFileSync(join(PORTAL_DIST, file)), { level: 9 }).length / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms`;
}

// Registered before any page script runs (DevTools protocol, outside the page's CSP).
const OBSERVE = `
  window.__layoutShift = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__layoutShift += entry.value;
  }).observe({ type: 'layout-shift', buffered: true });
`;

/**
 * Resolves with the page's clock when `expression` first holds, checked every frame. A string
 * evaluated through the DevTools protocol: the portal's CSP forbids eval in the page, which
 * Playwright's waitForFunction would need.
 */
async function untilTrue(page: Page, expression: string): Promise<number> {
  return (await page.evaluate(
    `new Promise((resolve) => { const check = () => (${expression}) ? resolve(performance.now()) : requestAnimationFrame(check); check(); })`,
  )) as number;
}

interface Visit {
  firstContentfulPaint: number;
  rendered: number;
  layoutShift: number;
  heapMb: number;
  /** JavaScript over the wire for the visit (compressed, with headers), lazy page chunks included. */
  jsKb: number;
}

/** One cold navigation (no HTTP cache) to `url`; `ready` is the page's own "rendered" condition. */
async function visit(page: Page, url: string, ready: string): Promise<Visit> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const scripts = new Set<string>();
  let jsBytes = 0;
  cdp.on('Network.responseReceived', (event) => {
    if (event.response.url.endsWith('.js')) scripts.add(event.requestId);
  });
  cdp.on('Network.loadingFinished', (event) => {
    if (scripts.has(event.requestId)) jsBytes += event.encodedDataLength;
  });
  await page.goto(url, { waitUntil: 'commit' });
  const rendered = await untilTrue(page, ready);
  await untilTrue(page, "performance.getEntriesByName('first-contentful-paint').length > 0");
  const metrics = (await page.evaluate(`({
    fcp: performance.getEntriesByName('first-contentful-paint')[0].startTime,
    shift: window.__layoutShift,
    heap: performance.memory ? performance.memory.usedJSHeapSize : 0,
  })`)) as { fcp: number; shift: number; heap: number };
  await cdp.detach();
  return {
    firstContentfulPaint: metrics.fcp,
    rendered,
    layoutShift: metrics.shift,
    heapMb: metrics.heap / 1024 / 1024,
    jsKb: jsBytes / 1024,
  };
}

async function measure(
  browser: Browser,
  baseUrl: string,
  login: boolean,
  path: string,
  ready: string,
): Promise<Visit[]> {
  const context = await desktopContext(browser, baseUrl);
  await context.addInitScript(OBSERVE);
  const page = await context.newPage();
  if (login) await logIn(page, baseUrl, DEMO.owner);
  const visits: Visit[] = [];
  // One warm-up visit: the server's first answers include one-off work (route compilation).
  await visit(page, `${baseUrl}${path}`, ready);
  for (let run = 0; run < RUNS; run++) visits.push(await visit(page, `${baseUrl}${path}`, ready));
  await context.close();
  return visits;
}

function report(name: string, visits: Visit[]): void {
  const worstShift = Math.max(...visits.map((v) => v.layoutShift));
  const heap = Math.max(...visits.map((v) => v.heapMb));
  const js = Math.max(...visits.map((v) => v.jsKb));
  console.log(
    `${name.padEnd(34)} first paint ${summary(visits.map((v) => v.firstContentfulPaint))}; rendered ${summary(
      visits.map((v) => v.rendered),
    )}; layout shift max ${worstShift.toFixed(3)}; JS heap max ${heap.toFixed(1)} MB; JS transferred ${js.toFixed(1)} KB`,
  );
}

if (skipWithoutChromium) {
  console.error(skipWithoutChromium);
  process.exit(1);
}
statSync(join(PORTAL_DIST, 'index.html'));

const files = initialFiles();
const js = files.filter((file) => file.endsWith('.js')).reduce((sum, file) => sum + gzipKb(file), 0);
const css = files.filter((file) => file.endsWith('.css')).reduce((sum, file) => sum + gzipKb(file), 0);
console.log(
  `initial JavaScript: ${js.toFixed(1)} KB gzipped in ${files.filter((f) => f.endsWith('.js')).length} file(s) (budget ${BUDGET_KB} KB: ${js <= BUDGET_KB ? 'within' : 'OVER'}); CSS ${css.toFixed(1)} KB gzipped`,
);

const baselineHtml = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Baseline</title></head><body><main><h1>Support</h1><table><tbody>${'<tr><td>Ticket</td></tr>'.repeat(25)}</tbody></table></main></body></html>`;
const baseline = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  response.end(baselineHtml);
});
await new Promise<void>((resolve) => baseline.listen(0, '127.0.0.1', resolve));
const baselineUrl = `http://127.0.0.1:${(baseline.address() as AddressInfo).port}`;

const server = await startPortalServer();
const browser = await launchChromium();
try {
  console.log(`${RUNS} cold visits each (HTTP cache off), Chromium headless, demo data on SQLite:`);
  report(
    'baseline: static HTML, node:http',
    await measure(browser, baselineUrl, false, '/', "document.querySelector('main h1') !== null"),
  );
  report(
    'portal: /support, logged in',
    await measure(
      browser,
      server.baseUrl,
      true,
      '/support',
      "document.querySelector('main h1') !== null && document.querySelector('main .state-loading') === null",
    ),
  );
} finally {
  await browser.close();
  await server.close();
  baseline.close();
}
