/**
 * The emulator's pages in headless chromium (issue 10): the Impact Ranking control with 10,000 profiles
 * (2,000 with --quick), from opening the list to its first rows (`pages.ranking_render_ms.<n>`) and
 * jumping to row 5,000 (half the rows with --quick) once loaded (`pages.ranking_scroll_ms.<n>`), each
 * against a plain non-virtualised table of the same rows built in the same browser from the same Web
 * API; and the Opportunity form's time to interactive (`pages.opportunity_tti_ms`: record loaded,
 * OnLoad run, Quotation Timeline drawn). The stack is `runStart` as `npm start` runs it, small demo.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium, type Browser, type Page } from 'playwright-core';
import { contact, idr_interestprofile, idr_marketingconcept, opportunity } from '../../dataverse/generated';
import { silentLogger } from '../../dataverse/logger';
import { runStart, type RunningStart } from '../cli/start';
import { LOCAL_TOKEN } from '../emulator/demo/extension';
import { appModuleId } from '../emulator/pages/apps';
import { figure, MIN_RUNS, type Figure } from './figures';
import type { BenchOptions } from './results';

const ROOT = path.join(__dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WAIT_MS = 120_000;
const ROW_HEIGHT = 40;
const P = idr_interestprofile.columns;

/** The bench's own concept, first in the control's picker, so the list opens on its ranking. */
async function seedProfiles(running: RunningStart, count: number): Promise<void> {
  const engine = running.emulator.engine;
  const conceptId = await engine.create(idr_marketingconcept.entitySetName, {
    [idr_marketingconcept.columns.idr_name]: '000 Bench ranking',
    [idr_marketingconcept.columns.idr_code]: 'BENCH-RANKING',
    [idr_marketingconcept.columns.idr_enterthreshold]: 50,
    [idr_marketingconcept.columns.idr_exitthreshold]: 40,
  });
  const landmark = new Date().toISOString();
  for (let n = 0; n < count; n++) {
    const contactId = await engine.create(contact.entitySetName, {
      [contact.columns.firstname]: 'Bench',
      [contact.columns.lastname]: `R${String(n).padStart(5, '0')}`,
    });
    await engine.create(idr_interestprofile.entitySetName, {
      [`${P.idr_contact}@odata.bind`]: `/${contact.entitySetName}(${contactId})`,
      [`${P.idr_concept}@odata.bind`]: `/${idr_marketingconcept.entitySetName}(${conceptId})`,
      [P.idr_accumulator]: count - n,
      [P.idr_score]: count - n,
      [P.idr_landmarkon]: landmark,
      [P.idr_scoredon]: landmark,
    });
  }
}

function rankingUrl(running: RunningStart): string {
  const params = new URLSearchParams({
    appid: appModuleId('idr_IdearioMarketing'),
    pagetype: 'entitylist',
    etn: idr_interestprofile.logicalName,
  });
  return `${running.emulator.url}/main.aspx?${params.toString()}`;
}

const GRID = '[data-control-name="Ideario.ImpactRanking"] [role="grid"]';

/** Scrolls the control's virtualised body (the element that scrolls inside the grid) to `top`. */
async function scrollGrid(page: Page, top: number | 'end'): Promise<void> {
  await page.evaluate(
    ([selector, to]) => {
      const grid = document.querySelector(selector);
      const scroller = Array.from(grid?.querySelectorAll('*') ?? []).find(
        (e) => e.scrollHeight > e.clientHeight + 10,
      );
      if (scroller) scroller.scrollTop = to === 'end' ? scroller.scrollHeight : to;
    },
    [GRID, top] as const,
  );
}

async function loadedRows(page: Page): Promise<number> {
  return Number(await page.locator(GRID).getAttribute('aria-rowcount')) - 1;
}

/** The control: open the list → first row drawn; then load `target` rows by scrolling and jump to the last. */
async function measureControl(
  page: Page,
  running: RunningStart,
  target: number,
): Promise<{ render: number; scroll: number }> {
  const started = performance.now();
  await page.goto(rankingUrl(running));
  await page.getByRole('row', { name: 'Open Bench R00000' }).waitFor({ timeout: WAIT_MS });
  const render = performance.now() - started;
  while ((await loadedRows(page)) < target) {
    const before = await loadedRows(page);
    await scrollGrid(page, 'end');
    await page.waitForFunction(
      ([selector, n]) => Number(document.querySelector(selector)?.getAttribute('aria-rowcount') ?? 0) - 1 > n,
      [GRID, before] as const,
      { timeout: WAIT_MS },
    );
  }
  await scrollGrid(page, 0);
  const last = `Open Bench R${String(target - 1).padStart(5, '0')}`;
  const jump = performance.now();
  await scrollGrid(page, (target - 1) * ROW_HEIGHT);
  await page.getByRole('row', { name: last }).waitFor({ timeout: WAIT_MS });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(null))));
  return { render, scroll: performance.now() - jump };
}

// In page.evaluate, `window.performance`: the module's own `performance` import does not exist there.
/** The baseline: the same rows, same Web API, drawn as one plain table with every row in the DOM. */
async function measureTable(
  page: Page,
  running: RunningStart,
  count: number,
  target: number,
): Promise<{ render: number; scroll: number }> {
  await page.goto(`${running.emulator.url}/`);
  return page.evaluate(
    async ([serviceRoot, token, entitySet, concept, total, row]) => {
      const started = window.performance.now();
      const rows: Record<string, unknown>[] = [];
      let next: string | undefined =
        `${serviceRoot}${entitySet}?$select=idr_score,_idr_contact_value&$filter=_idr_concept_value eq ${concept}&$orderby=idr_score desc`;
      while (next && rows.length < total) {
        const response: Response = await fetch(next, {
          headers: {
            Authorization: `Bearer ${token}`,
            Prefer: 'odata.include-annotations="*",odata.maxpagesize=5000',
          },
        });
        const body = (await response.json()) as {
          value: Record<string, unknown>[];
          '@odata.nextLink'?: string;
        };
        rows.push(...body.value);
        next = body['@odata.nextLink'];
      }
      const table = document.createElement('table');
      const container = document.createElement('div');
      container.style.height = '480px';
      container.style.overflow = 'auto';
      rows.forEach((r, i) => {
        const tr = table.insertRow();
        tr.style.height = '40px';
        tr.insertCell().textContent = String(i + 1);
        tr.insertCell().textContent = String(
          r['_idr_contact_value@OData.Community.Display.V1.FormattedValue'],
        );
        tr.insertCell().textContent = String(r.idr_score);
      });
      container.appendChild(table);
      document.body.replaceChildren(container);
      void container.offsetHeight;
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const render = window.performance.now() - started;
      const jump = window.performance.now();
      table.rows[row - 1]?.scrollIntoView();
      void container.offsetHeight;
      await new Promise((resolve) => requestAnimationFrame(resolve));
      return { render, scroll: window.performance.now() - jump };
    },
    [
      running.webApiUrl,
      LOCAL_TOKEN,
      idr_interestprofile.entitySetName,
      await conceptId(running),
      count,
      target,
    ] as const,
  );
}

async function conceptId(running: RunningStart): Promise<string> {
  const { records } = await running.emulator.engine.query(idr_marketingconcept.entitySetName, {
    select: [idr_marketingconcept.columns.idr_marketingconceptid],
    filter: `${idr_marketingconcept.columns.idr_code} eq 'BENCH-RANKING'`,
  });
  return String(records[0]?.[idr_marketingconcept.columns.idr_marketingconceptid]);
}

async function opportunityTti(page: Page, running: RunningStart): Promise<number> {
  const { records } = await running.emulator.engine.query(opportunity.entitySetName, {
    select: [opportunity.columns.name],
    filter: `${opportunity.columns.idr_arrivaldate} ne null`,
    orderBy: [opportunity.columns.name],
    top: 1,
  });
  const params = new URLSearchParams({
    appid: appModuleId('idr_IdearioGroupSales'),
    pagetype: 'entityrecord',
    etn: opportunity.logicalName,
    id: String(records[0]?.[opportunity.columns.opportunityid]),
  });
  const started = performance.now();
  await page.goto(`${running.emulator.url}/main.aspx?${params.toString()}`);
  await page.locator('#idr-form[data-state="ready"]').waitFor({ timeout: WAIT_MS });
  await page
    .locator('[data-control-name="Ideario.QuotationTimeline"]')
    .getByText(/^1\. /)
    .waitFor({ timeout: WAIT_MS });
  return performance.now() - started;
}

export async function figures(options: BenchOptions): Promise<Figure[]> {
  const count = options.quick ? 2000 : 10_000;
  const target = count / 2;
  const dist = await mkdtemp(path.join(tmpdir(), 'ideario-bench-pages-'));
  const running = await runStart({
    port: 0,
    hostPort: 0,
    reset: false,
    demo: true,
    demoSize: 'small',
    memory: true,
    distDir: dist,
    solutionRoot: path.join(ROOT, 'solution'),
    pcfRoot: path.join(ROOT, 'pcf-controls'),
    webResourceBuild: path.join(ROOT, 'webresources', 'build.ts'),
    logger: silentLogger,
    print: () => undefined,
    waitIdle: true,
  });
  let browser: Browser | undefined;
  try {
    await seedProfiles(running, count);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    const control = { render: [] as number[], scroll: [] as number[] };
    const table = { render: [] as number[], scroll: [] as number[] };
    const tti: number[] = [];
    for (let run = 0; run < MIN_RUNS; run++) {
      for (const measure of ['control', 'table', 'tti'] as const) {
        const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
        const page = await context.newPage();
        if (measure === 'control') {
          const m = await measureControl(page, running, target);
          control.render.push(m.render);
          control.scroll.push(m.scroll);
        } else if (measure === 'table') {
          const m = await measureTable(page, running, count, target);
          table.render.push(m.render);
          table.scroll.push(m.scroll);
        } else tti.push(await opportunityTti(page, running));
        await context.close();
      }
    }
    return [
      figure(`pages.ranking_render_ms.${count}`, 'ms', control.render, {
        name: `plain table of ${count} rows`,
        samples: table.render,
      }),
      figure(`pages.ranking_scroll_ms.${count}`, 'ms', control.scroll, {
        name: `plain table of ${count} rows`,
        samples: table.scroll,
      }),
      figure('pages.opportunity_tti_ms', 'ms', tti),
    ];
  } finally {
    await browser?.close();
    await running.close();
    await rm(dist, { recursive: true, force: true });
  }
}
