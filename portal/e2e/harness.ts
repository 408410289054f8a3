// What every browser test stands on: a real `securebase serve --demo` process on the embedded
// database, Debian's Chromium driven by playwright-core, a guard that fails the test on any console
// error or failed request, axe-core for accessibility, and screenshots at desktop and phone width.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { after, before } from 'node:test';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where every run writes its screenshots (`<page>-1280.png`, `<page>-375.png`). */
export const SCREENSHOTS = join(ROOT, 'portal', 'e2e', 'screenshots');
export const DEMO_PASSWORD = 'demo-password-2026';
export const DEMO = {
  owner: 'owner@northwind.demo',
  member: 'member@northwind.demo',
  viewer: 'viewer@northwind.demo',
  agent: 'agent@securebase.demo',
} as const;

/** `describe`'s skip option: the browser suite runs only where Chromium is installed. */
export const skipWithoutChromium: string | false = existsSync(CHROMIUM)
  ? false
  : `no Chromium at ${CHROMIUM}: browser tests skipped (apt-get install chromium)`;
if (skipWithoutChromium) console.log(`NOTICE: ${skipWithoutChromium}`);

// Generous: the demo seeding takes seconds, more on a loaded machine.
const START_TIMEOUT_MS = 180_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface PortalServer {
  baseUrl: string;
  dataDir: string;
  /** Everything the process printed, for setup links and failure reports. */
  output(): string;
  close(): Promise<void>;
}

/** Starts the compiled CLI as a newcomer would (`serve --demo`), with a fresh data directory. */
export async function startPortalServer(env: Record<string, string> = {}): Promise<PortalServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'securebase-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let printed = '';
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin', 'securebase.js'), 'serve', '--demo'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: '',
      SECUREBASE_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: baseUrl,
      LOG_LEVEL: 'warn',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE_CIDRS: '127.0.0.0/8',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`securebase serve exited ${child.exitCode}:\n${printed}`);
    const ready = await fetch(`${baseUrl}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready && printed.includes('SecureBase is serving on')) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`securebase serve did not become ready:\n${printed}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await untilJobsSettle(dataDir, deadline);
  return {
    baseUrl,
    dataDir,
    output: () => printed,
    close: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until the server has no job due: the demo's seeding leaves work behind (anomaly detection,
 * notifications, emails), and a test that starts while it runs would see inboxes still filling.
 * Read from the server's SQLite file (WAL allows a reader beside the writer).
 */
async function untilJobsSettle(dataDir: string, deadline: number): Promise<void> {
  const database = new Database(join(dataDir, 'securebase.db'), { readonly: true, fileMustExist: true });
  const due = database.prepare(
    "select count(*) as due from jobs where status in ('pending', 'running') and run_at <= ?",
  );
  try {
    let quietChecks = 0;
    while (quietChecks < 3) {
      const { due: count } = due.get(new Date().toISOString()) as { due: number };
      quietChecks = count === 0 ? quietChecks + 1 : 0;
      if (Date.now() > deadline) throw new Error(`jobs still due after the start timeout: ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    database.close();
  }
}

/** A suite's server and browser: started before its tests, closed after them. */
export interface PortalSuite {
  readonly server: PortalServer;
  readonly browser: Browser;
}

/** Registers the suite's `before` and `after`; the properties are set once `before` has run. */
export function portalSuite(env: Record<string, string> = {}): PortalSuite {
  const suite = {} as { server: PortalServer; browser: Browser };
  before(async () => {
    suite.server = await startPortalServer(env);
    suite.browser = await launchChromium();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Problems seen by one page: console errors, uncaught exceptions, failed or 4xx/5xx requests. */
export interface PageGuard {
  problems: string[];
  /** Lets one expected failing response through (e.g. a 422 the test provokes on purpose). */
  expect(urlPart: string, status: number): void;
  /** Fails with every problem seen so far. */
  assertClean(): void;
}

/**
 * Opens a page whose console errors, page errors and failed requests are recorded. Requests
 * aborted by navigation (a closed event stream, a superseded fetch) are not failures.
 */
export async function guardedPage(context: BrowserContext): Promise<{ page: Page; guard: PageGuard }> {
  const page = await context.newPage();
  const problems: string[] = [];
  const expected: Array<{ urlPart: string; status: number }> = [];
  const isExpected = (url: string, status: number) =>
    expected.some((entry) => url.includes(entry.urlPart) && entry.status === status);
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    // Chromium logs every 4xx/5xx as a console error; those are judged from the response below.
    if (/^Failed to load resource: the server responded with a status of \d+/.test(text)) return;
    problems.push(`console error: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText ?? 'failed';
    if (failure === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${request.method()} ${request.url()} ${failure}`);
  });
  page.on('response', (response) => {
    if (response.status() < 400 || isExpected(response.url(), response.status())) return;
    problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
  });
  return {
    page,
    guard: {
      problems,
      expect: (urlPart, status) => expected.push({ urlPart, status }),
      assertClean: () => {
        if (problems.length > 0) throw new Error(`the page had problems:\n${problems.join('\n')}`);
      },
    },
  };
}

/** Logs in through the login page and waits for the first page after it. */
export async function logIn(page: Page, baseUrl: string, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, which the page's CSP does
 * not govern) and fails on serious or critical violations.
 */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  await page.evaluate(AXE_SOURCE);
  // A string, so this Node-typed file needs no DOM types; it runs in the page.
  const violations = (await page.evaluate('axe.run(document).then((result) => result.violations)')) as AxeViolation[];
  const severe = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  if (severe.length > 0) {
    const lines = severe.map(
      (violation) =>
        `${violation.impact} ${violation.id}: ${violation.help} at ${JSON.stringify(violation.nodes.map((node) => node.target))}`,
    );
    throw new Error(`accessibility violations on ${what}:\n${lines.join('\n')}`);
  }
}

/** Full-page screenshots at 1280 px and 375 px wide; restores the desktop width after. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 800 });
    // From the top: a sticky header is drawn where the scroll position left it.
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** A browser context at desktop size whose downloads are kept. */
export async function desktopContext(browser: Browser, baseUrl: string): Promise<BrowserContext> {
  return browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 800 }, acceptDownloads: true });
}
