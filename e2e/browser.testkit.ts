/**
 * What the browser tests share: Debian's chromium driven by playwright-core, the emulator's URL and
 * Web API, axe-core checks, and screenshots checked to show something.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { LOCAL_TOKEN } from '../tools/emulator/demo/extension';
import { appModuleId } from '../tools/emulator/pages/apps';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(__dirname, 'screenshots');
/** Ceiling for one wait in the browser on a loaded 2-core machine; waits end as soon as the condition holds. */
export const WAIT_MS = 60_000;

export const MARKETING_APP = appModuleId('idr_IdearioMarketing');
export const GROUP_SALES_APP = appModuleId('idr_IdearioGroupSales');

/** chromium is missing: e2e/setup.sh installs it. */
export class ChromiumMissingError extends Error {
  constructor(
    readonly executable: string,
    cause: unknown,
  ) {
    super(`Cannot start ${executable}: run e2e/setup.sh (apt-get install chromium) or set CHROMIUM_PATH.`, {
      cause,
    });
    this.name = 'ChromiumMissingError';
  }
}

export function baseUrl(): string {
  const url = process.env.IDEARIO_E2E_URL;
  if (!url) throw new Error('IDEARIO_E2E_URL is not set: run the browser tests with npm run test:e2e.');
  return url;
}

export async function launch(): Promise<Browser> {
  try {
    return await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  } catch (error) {
    throw new ChromiumMissingError(CHROMIUM, error);
  }
}

export async function newPage(browser: Browser, lang?: 1033 | 3082): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1200, height: 800 },
    locale: lang === 3082 ? 'es-ES' : 'en-US',
  });
  context.setDefaultTimeout(WAIT_MS);
  return context.newPage();
}

/**
 * The lifecycle every browser test file shares: one chromium for the file, a fresh page in its own
 * context before each test, and every context closed after it (a test may open another, e.g. Spanish).
 */
export function pagePerTest(use: { browser?: (browser: Browser) => void; page: (page: Page) => void }): void {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launch();
    use.browser?.(browser);
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    if (!browser) throw new Error('the browser did not start: see the beforeAll error above');
    use.page(await newPage(browser));
  });
  afterEach(async () => {
    await Promise.all((browser?.contexts() ?? []).map((context) => context.close()));
  });
}

export function mainUrl(params: Record<string, string>): string {
  return `${baseUrl()}/main.aspx?${new URLSearchParams(params).toString()}`;
}

/** A Web API call as an integration would make it (the emulator's local token). */
export async function webApi<T = Record<string, unknown>>(
  pathAndQuery: string,
  init: RequestInit = {},
): Promise<T> {
  const response = await fetch(`${baseUrl()}/api/data/v9.2/${pathAndQuery}`, {
    ...init,
    headers: {
      Authorization: `Bearer ${LOCAL_TOKEN}`,
      Accept: 'application/json',
      'Content-Type': 'application/json',
      Prefer: 'odata.include-annotations="*"',
      ...(init.headers as Record<string, string> | undefined),
    },
  });
  if (!response.ok)
    throw new Error(`${init.method ?? 'GET'} ${pathAndQuery}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? {} : await response.json()) as T;
}

/** Waits until the emulator's system job queue is idle (its `/emulator/jobs/idle` route), so what asynchronous steps write is in place. */
export async function whenJobsIdle(): Promise<void> {
  const response = await fetch(`${baseUrl()}/emulator/jobs/idle?wait=120`, {
    headers: { Authorization: `Bearer ${LOCAL_TOKEN}` },
  });
  if (!response.ok)
    throw new Error(`The system jobs did not go idle: ${response.status} ${await response.text()}`);
}

/** Waits until the form page has loaded its record and run its OnLoad handlers (or finished a change or save). */
export async function formReady(page: Page): Promise<void> {
  await page.locator('#idr-form[data-state="ready"]').waitFor();
}

/** axe-core on the page: the serious and critical violations, as `rule: target` lines (none expected). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes
        // Fluent UI 9's tabster focus guards are focusable and aria-hidden by design: they hand focus
        // on at once. Accessibility Insights drops exactly these (microsoft/accessibility-insights-web#7605,
        // microsoft/tabster#288); every other aria-hidden-focus node still counts.
        .filter((n) => !(v.id === 'aria-hidden-focus' && n.html.includes('data-tabster-dummy')))
        .map((n) => `${v.id}: ${n.target.join(' ')}`),
    );
}

/**
 * Saves a screenshot under e2e/screenshots/ and returns how many distinct colours it holds, counted in
 * the browser from the PNG itself: a blank or single-colour page has one or two.
 */
export async function screenshot(page: Page, name: string): Promise<number> {
  const png = await page.screenshot({ fullPage: false });
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(path.join(SCREENSHOTS, `${name}.png`), png);
  const probe = await page.context().newPage();
  try {
    return await probe.evaluate(async (base64) => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d');
      if (!context) return 0;
      context.drawImage(image, 0, 0);
      const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 16)
        colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      return colours.size;
    }, png.toString('base64'));
  } finally {
    await probe.close();
  }
}

/** Rows as the Web API answers a collection. */
export type Rows = { value: Record<string, unknown>[] };

/** The aria-label of each bar group of the dashboard chart named `name`: `<category>: <series> <value>`. */
export async function chartBars(page: Page, name: string): Promise<string[]> {
  const chart = page.getByRole('list', { name });
  await chart.waitFor();
  return chart
    .getByRole('listitem')
    .evaluateAll((items) => items.map((item) => item.getAttribute('aria-label') ?? ''));
}
