/**
 * The Group Sales dashboard as a sales manager meets it in chromium: the app opens on it, the
 * quotations-by-phase chart shows the demo's counts, the occupancy plan shows the night close to
 * full, and axe-core finds nothing serious.
 */
import type { Page } from 'playwright-core';
import { idr_hotelroomtype, idr_roomblock, opportunity } from '../dataverse/generated';
import {
  chartBars,
  GROUP_SALES_APP,
  mainUrl,
  pagePerTest,
  screenshot,
  seriousViolations,
  type Rows,
  webApi,
  whenJobsIdle,
} from './browser.testkit';
import { CHART_VIEWPORT_HEIGHT } from '../tools/emulator/pages/dashboard';

const O = opportunity.columns;
const B = idr_roomblock.columns;
const T = idr_hotelroomtype.columns;
const FORMATTED = '@OData.Community.Display.V1.FormattedValue';

let page: Page;

pagePerTest({ page: (p) => (page = p) });

beforeAll(async () => {
  await whenJobsIdle();
});

/** The demo's quotations per phase label, as the Web API counts them. */
async function phaseCounts(): Promise<Map<string, number>> {
  const rows = await webApi<Rows>(`${opportunity.entitySetName}?$select=${O.idr_phase}`);
  const counts = new Map<string, number>();
  for (const row of rows.value) {
    const label = String(row[`${O.idr_phase}${FORMATTED}`]);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return counts;
}

/** The hotel and night where one room type is blocked to 90 % or more, and the rooms blocked there in all. */
async function nearFullNight(): Promise<{ hotel: string; night: string; rooms: number }> {
  const types = await webApi<Rows>(
    `${idr_hotelroomtype.entitySetName}?$select=${T.idr_rooms},${T.idr_hotelroomtypeid}`,
  );
  const inventory = new Map(
    types.value.map((t) => [String(t[T.idr_hotelroomtypeid]), Number(t[T.idr_rooms])]),
  );
  const blocks = await webApi<Rows>(
    `${idr_roomblock.entitySetName}?$select=${B.idr_rooms},${B.idr_night},_${B.idr_hotel}_value,_${B.idr_roomtype}_value&$filter=statecode eq 0`,
  );
  const byType = new Map<string, number>();
  const byHotel = new Map<string, number>();
  const hotelNames = new Map<string, string>();
  for (const b of blocks.value) {
    const hotel = String(b[`_${B.idr_hotel}_value`]);
    hotelNames.set(hotel, String(b[`_${B.idr_hotel}_value${FORMATTED}`]));
    const night = String(b[B.idr_night]);
    const typeKey = `${String(b[`_${B.idr_roomtype}_value`])}|${hotel}|${night}`;
    byType.set(typeKey, (byType.get(typeKey) ?? 0) + Number(b[B.idr_rooms]));
    byHotel.set(`${hotel}|${night}`, (byHotel.get(`${hotel}|${night}`) ?? 0) + Number(b[B.idr_rooms]));
  }
  const full = [...byType].find(
    ([key, rooms]) => rooms >= 0.9 * (inventory.get(key.split('|')[0] ?? '') ?? Infinity),
  );
  if (!full) throw new Error('The demo has no night close to full.');
  const [, hotel = '', night = ''] = full[0].split('|');
  return { hotel: hotelNames.get(hotel) ?? hotel, night, rooms: byHotel.get(`${hotel}|${night}`) ?? 0 };
}

it('opens the Group Sales app on its dashboard, with the demo counts by phase and the night close to full', async () => {
  await page.goto(mainUrl({ appid: GROUP_SALES_APP }));
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Group Sales');
  const sitemap = page.getByRole('navigation', { name: 'Site map' });
  await expect(sitemap.getByRole('link', { name: 'Group Sales' }).getAttribute('aria-current')).resolves.toBe(
    'page',
  );

  const counts = await phaseCounts();
  expect(counts.size).toBeGreaterThan(5);
  const phases = await chartBars(page, 'Quotations by Phase');
  const shown = new Map(
    phases.map((label): [string, string] => {
      const match = /^(.+): .* (\d+)$/.exec(label);
      return [match?.[1] ?? label, match?.[2] ?? ''];
    }),
  );
  expect(shown).toEqual(new Map([...counts].map(([phase, count]) => [phase, String(count)])));

  const full = await nearFullNight();
  const occupancy = await chartBars(page, 'Rooms Blocked per Hotel and Night');
  expect(occupancy).toContainEqual(
    expect.stringMatching(new RegExp(`^${full.hotel} · ${full.night}: .* ${full.rooms}$`)),
  );

  await page.getByRole('heading', { level: 2, name: 'Deposits Overdue' }).waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  expect(await screenshot(page, 'dashboard')).toBeGreaterThan(10);
});

it('keeps the occupancy plan at its panel height, the hotel-nights scrolling inside it, from the keyboard too', async () => {
  await page.goto(mainUrl({ appid: GROUP_SALES_APP }));
  const region = page.getByRole('group', { name: 'Rooms Blocked per Hotel and Night' });
  await region.waitFor();
  const size = await region.evaluate((el) => ({ client: el.clientHeight, scroll: el.scrollHeight }));
  expect(size.client).toBeLessThanOrEqual(CHART_VIEWPORT_HEIGHT);
  expect(size.scroll).toBeGreaterThan(size.client);
  const last = region.getByRole('listitem').last();
  const inside = () =>
    Promise.all([region.boundingBox(), last.boundingBox()]).then(
      ([r, l]) => !!r && !!l && l.y >= r.y && l.y + l.height <= r.y + r.height + 1,
    );
  expect(await inside()).toBe(false);
  await region.focus();
  await page.keyboard.press('End');
  await page.waitForFunction(
    (el) => !!el && el.scrollTop + el.clientHeight >= el.scrollHeight - 1,
    await region.elementHandle(),
  );
  expect(await inside()).toBe(true);
});

it('shows the dashboard in Spanish', async () => {
  await page.goto(mainUrl({ appid: GROUP_SALES_APP, lang: '3082' }));
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Ventas de grupos');
  const phases = await chartBars(page, 'Cotizaciones por fase');
  expect(phases.some((label) => label.startsWith('Solicitud: Recuento'))).toBe(true);
  expect(await seriousViolations(page)).toEqual([]);
});

it('fits the Deposits Overdue list in its panel at 1200 and 800 px, every column shown', async () => {
  await page.goto(mainUrl({ appid: GROUP_SALES_APP }));
  const panel = page.locator('section[data-component="List_DepositsOverdue"]');
  for (const width of [1200, 800]) {
    await page.setViewportSize({ width, height: 800 });
    await panel.getByRole('columnheader').first().waitFor();
    const fit = await panel.evaluate((section) => {
      const table = section.querySelector('table');
      const box = section.getBoundingClientRect();
      const headers = table?.querySelectorAll('th');
      const last = headers?.item(headers.length - 1)?.getBoundingClientRect();
      return {
        scrollWidth: section.scrollWidth,
        clientWidth: section.clientWidth,
        lastRight: last?.right ?? Infinity,
        panelRight: box.right,
      };
    });
    expect(fit.scrollWidth).toBeLessThanOrEqual(fit.clientWidth + 1);
    // The last column (Owner) is inside the panel, not cut at its edge.
    expect(fit.lastRight).toBeLessThanOrEqual(fit.panelRight);
    if (width === 800) expect(await screenshot(page, 'dashboard-800')).toBeGreaterThan(10);
  }
});

it('reflows into one column at 560 px: nothing scrolls sideways, every chart inside its panel', async () => {
  await page.setViewportSize({ width: 560, height: 900 });
  await page.goto(mainUrl({ appid: GROUP_SALES_APP }));
  await page.getByRole('list', { name: 'Quotations by Phase' }).waitFor();
  const layout = await page.evaluate(() => {
    const sections = Array.from(document.querySelectorAll('.dashboard > section')).map((s) => {
      const box = s.getBoundingClientRect();
      const svg = s.querySelector('svg')?.getBoundingClientRect();
      return {
        left: Math.round(box.left),
        right: box.right,
        svgInside: !svg || (svg.left >= box.left - 0.5 && svg.right <= box.right + 0.5),
      };
    });
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      lefts: [...new Set(sections.map((s) => s.left))],
      rightmost: Math.max(...sections.map((s) => s.right)),
      chartsInside: sections.every((s) => s.svgInside),
      count: sections.length,
    };
  });
  expect(layout.count).toBe(6);
  expect(layout.scrollWidth).toBeLessThanOrEqual(layout.innerWidth);
  // One column: every panel starts at the same left edge and ends inside the window.
  expect(layout.lefts).toHaveLength(1);
  expect(layout.rightmost).toBeLessThanOrEqual(layout.innerWidth);
  expect(layout.chartsInside).toBe(true);
  expect(await seriousViolations(page)).toEqual([]);
  expect(await screenshot(page, 'dashboard-560')).toBeGreaterThan(10);
});
