/**
 * The PCF controls hosted on the emulator's pages, in chromium: the Contact form's Interest Profile,
 * the Opportunity form's Quotation Timeline and the Impact Ranking grid (10,000 profiles, virtualised),
 * in English and Spanish, each checked with axe-core.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import {
  campaignresponse,
  contact,
  idr_interaction,
  idr_interactionrule,
  idr_interestprofile,
  idr_marketingconcept,
  idr_offer,
  idr_offerscore,
  EventType,
  OfferOutcome,
  opportunity,
  ProcessingStatus,
  ValueTier,
} from '../dataverse/generated';
import {
  baseUrl,
  formReady,
  GROUP_SALES_APP,
  MARKETING_APP,
  mainUrl,
  newPage,
  screenshot,
  seriousViolations,
  WAIT_MS,
  webApi,
  whenJobsIdle,
  pagePerTest,
} from './browser.testkit';
import { rankKey } from '../domain/interest/decay';
import { DEMO_CAMPAIGN_ID } from '../tools/emulator/demo/campaign';
import { LOCAL_TOKEN } from '../tools/emulator/demo/extension';

const P = idr_interestprofile.columns;
const R = idr_interactionrule.columns;
const I = idr_interaction.columns;
const O = opportunity.columns;
const MC = idr_marketingconcept.columns;
const FORMATTED = '@OData.Community.Display.V1.FormattedValue';

let browser: Browser;
let page: Page;

pagePerTest({ browser: (b) => (browser = b), page: (p) => (page = p) });

type Row = Record<string, unknown>;

/** Polls the Web API until `check` holds: what the browser cannot wait on (a system job's result). */
async function until<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Creates a row through the Web API and returns its id (from OData-EntityId, as Dataverse answers). */
async function createRecord(entitySet: string, data: Row): Promise<string> {
  const response = await fetch(`${baseUrl()}/api/data/v9.2/${entitySet}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${LOCAL_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(data),
  });
  const id = /\(([0-9a-f-]{36})\)/.exec(response.headers.get('OData-EntityId') ?? '')?.[1];
  if (!response.ok || !id) throw new Error(`POST ${entitySet}: ${response.status} ${await response.text()}`);
  return id;
}

function control(name: string): Locator {
  return page.locator(`[data-control-name="Ideario.${name}"]`);
}

/** The highest stored profile of a concept that has a rule matched by a web URL alone. */
async function scoredContact(): Promise<{
  contactId: string;
  concept: string;
  conceptId: string;
  rule: Row;
}> {
  const rules = await webApi<{ value: Row[] }>(
    `${idr_interactionrule.entitySetName}?$select=${R.idr_name},${R.idr_eventtype},${R.idr_match},${R.idr_points},_${R.idr_concept}_value&$filter=${R.idr_dailycap} eq null and ${R.idr_points} gt 0&$orderby=${R.idr_name}`,
  );
  const byConcept = new Map<string, Row>();
  for (const rule of rules.value) {
    const match = rule[R.idr_match];
    if (typeof match !== 'string') continue;
    if (/^url=[^;]+$/.test(match)) byConcept.set(String(rule[`_${R.idr_concept}_value`]), rule);
  }
  const tops = await Promise.all(
    [...byConcept.keys()].map(
      async (conceptId) =>
        (
          await webApi<{ value: Row[] }>(
            `${idr_interestprofile.entitySetName}?$select=${P.idr_score},_${P.idr_contact}_value,_${P.idr_concept}_value&$filter=_${P.idr_concept}_value eq ${conceptId} and ${P.idr_score} gt 1&$orderby=${P.idr_score} desc,${P.idr_interestprofileid}&$top=1`,
          )
        ).value,
    ),
  );
  const [profile] = tops.flat().sort((a, b) => Number(b[P.idr_score]) - Number(a[P.idr_score]));
  if (!profile) throw new Error('The demo has no scored profile of a concept with a URL rule.');
  const conceptId = String(profile[`_${P.idr_concept}_value`]);
  return {
    contactId: String(profile[`_${P.idr_contact}_value`]),
    concept: String(profile[`_${P.idr_concept}_value${FORMATTED}`]),
    conceptId,
    rule: byConcept.get(conceptId) ?? {},
  };
}

async function meterValue(concept: string): Promise<number> {
  const meter = control('InterestProfile').getByRole('meter', { name: concept, exact: true });
  await meter.waitFor();
  return Number(await meter.getAttribute('aria-valuenow'));
}

describe('Interest Profile on the Contact form', () => {
  it('shows the contact’s concepts explained in words, and a new interaction raises the score after a refresh', async () => {
    const { contactId, concept, rule } = await scoredContact();
    await page.goto(
      mainUrl({ appid: MARKETING_APP, pagetype: 'entityrecord', etn: contact.logicalName, id: contactId }),
    );
    await formReady(page);
    const card = control('InterestProfile');
    const before = await meterValue(concept);
    expect(before).toBeGreaterThan(0);
    // An explanation names the event, the date, the rule and the points.
    await expect(
      card
        .getByText(/ on .+, rule “.+”: [+-]\d+\.\d points \(\d+\.\d today\)/)
        .first()
        .textContent(),
    ).resolves.toMatch(/points/);
    expect(await seriousViolations(page)).toEqual([]);
    expect(await screenshot(page, 'contact-interest-profile')).toBeGreaterThan(20);

    // An integration registers an interaction the concept's rule scores; the webhook scores it.
    const url = String(rule[R.idr_match])
      .slice('url='.length)
      .replace(/^\*/, 'https://')
      .replace(/\*/g, 'e2e');
    // Unique per run, so a rerun against the same emulator registers a new event.
    const externalId = `e2e-${contactId}-${Date.now()}`;
    await webApi(idr_interaction.entitySetName, {
      method: 'POST',
      body: JSON.stringify({
        [I.idr_name]: 'E2E web visit',
        [I.idr_eventtype]: rule[R.idr_eventtype],
        [I.idr_occurredon]: new Date().toISOString(),
        [I.idr_source]: 'e2e',
        [I.idr_externalid]: externalId,
        [I.idr_url]: url,
        'idr_contact@odata.bind': `/${contact.entitySetName}(${contactId})`,
      }),
    });
    const scored = await until(
      () =>
        webApi(
          `${idr_interaction.entitySetName}(${I.idr_source}='e2e',${I.idr_externalid}='${externalId}')?$select=${I.idr_processingstatus},${I.idr_processingerror}`,
        ),
      (row) => row[I.idr_processingstatus] !== ProcessingStatus.Pending,
    );
    expect(scored[I.idr_processingstatus]).toBe(ProcessingStatus.Scored);

    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await formReady(page);
    const after = await meterValue(concept);
    expect(after).toBeGreaterThan(before);
  });
});

describe('Next-best offers on the Contact form (issue 14)', () => {
  it('shows a scored offer with its arguments, and "Accepted" records the answer and the campaign response', async () => {
    const OF = idr_offer.columns;
    const SC = idr_offerscore.columns;
    const { contactId } = await scoredContact();
    const person = await webApi(
      `${contact.entitySetName}(${contactId})?$select=${contact.columns.idr_valuetier}`,
    );
    const tierColumn: Record<number, string> = {
      [ValueTier.MostValuable]: OF.idr_formostvaluable,
      [ValueTier.MostGrowable]: OF.idr_formostgrowable,
      [ValueTier.BelowZero]: OF.idr_forbelowzero,
    };
    const eligible = tierColumn[Number(person[contact.columns.idr_valuetier])] ?? OF.idr_formaintain;
    const day = new Date();
    const today = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
    const offers = await webApi<{ value: Row[] }>(
      `${idr_offer.entitySetName}?$select=${OF.idr_name},${OF.idr_arguments},${OF.idr_value},_${OF.idr_campaign}_value&$filter=statecode eq 0 and ${eligible} eq true and ${OF.idr_validfrom} le ${today} and ${OF.idr_validto} ge ${today}&$orderby=${OF.idr_code}&$top=1`,
    );
    const offer = offers.value[0];
    if (!offer) throw new Error('The demo has no current offer for the contact’s value tier.');
    const offerId = String(offer[OF.idr_offerid]);
    // The demo's offers belong to its running campaign.
    expect(offer[`_${OF.idr_campaign}_value`]).toBe(DEMO_CAMPAIGN_ID);
    // What `ideario retrain` would write: the contact's propensity for the offer.
    await createRecord(idr_offerscore.entitySetName, {
      [SC.idr_name]: 'E2E score',
      [SC.idr_propensity]: 0.8,
      [SC.idr_expectedvalue]: 0.8 * Number(offer[OF.idr_value] ?? 0),
      [SC.idr_modelversion]: 'e2e',
      [SC.idr_scoredon]: new Date().toISOString(),
      'idr_contact@odata.bind': `/${contact.entitySetName}(${contactId})`,
      'idr_offer@odata.bind': `/${idr_offer.entitySetName}(${offerId})`,
    });
    await page.goto(
      mainUrl({ appid: MARKETING_APP, pagetype: 'entityrecord', etn: contact.logicalName, id: contactId }),
    );
    await formReady(page);
    const item = control('InterestProfile').getByRole('listitem', { name: String(offer[OF.idr_name]) });
    await item.getByText(String(offer[OF.idr_arguments])).waitFor();
    await item.getByRole('button', { name: 'Accepted' }).click();
    await item.getByRole('status').filter({ hasText: 'Recorded: Accepted' }).waitFor();
    const recorded = await webApi<{ value: Row[] }>(
      `${idr_interaction.entitySetName}?$select=${I.idr_offeroutcome}&$filter=_${I.idr_contact}_value eq ${contactId} and _${I.idr_offer}_value eq ${offerId} and ${I.idr_eventtype} eq ${EventType.OfferPresented}`,
    );
    expect(recorded.value.map((r) => r[I.idr_offeroutcome])).toContain(OfferOutcome.Accepted);
    const accepted = recorded.value.find((r) => r[I.idr_offeroutcome] === OfferOutcome.Accepted);
    // The interaction step turns the accepted offer into the campaign's response, asynchronously.
    await whenJobsIdle();
    const CR = campaignresponse.columns;
    const responses = await webApi<{ value: Row[] }>(
      `${campaignresponse.entitySetName}?$select=_${CR.regardingobjectid}_value,${CR.channeltypecode}&$filter=_${CR.idr_interaction}_value eq ${String(accepted?.[I.idr_interactionid])}`,
    );
    expect(responses.value).toEqual([
      expect.objectContaining({
        [`_${CR.regardingobjectid}_value`]: DEMO_CAMPAIGN_ID,
        [CR.channeltypecode]: campaignresponse.choices.channeltypecode.Phone,
      }),
    ]);
  });
});

describe('Quotation Timeline on the Opportunity form', () => {
  it('shows the next follow-up once the quotation is saved as sent', async () => {
    const today = new Date();
    const iso = (d: Date) =>
      `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    const arrival = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 90);
    const id = await createRecord(opportunity.entitySetName, {
      [O.name]: 'Zz E2E timeline quotation',
      [O.idr_arrivaldate]: iso(arrival),
      [O.idr_nights]: 3,
      [O.idr_adults]: 20,
      [O.idr_priceperpersonnight]: 80,
    });
    await page.goto(
      mainUrl({ appid: GROUP_SALES_APP, pagetype: 'entityrecord', etn: opportunity.logicalName, id }),
    );
    await formReady(page);
    const timeline = control('QuotationTimeline');
    await timeline.getByText('1. Request').waitFor();
    await expect(timeline.textContent()).resolves.not.toContain('Next follow-up due');

    await page.getByRole('tab', { name: 'Group quotation' }).click();
    const sent = page.getByLabel('Quotation Sent On', { exact: true });
    await sent.fill(iso(today));
    await sent.blur();
    await formReady(page);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

    const day = new Intl.DateTimeFormat('en-US', { day: 'numeric', month: 'short', year: 'numeric' });
    await timeline.getByText(`2. Quotation sent · ${day.format(today)}`).waitFor();
    await timeline.getByText(/Next follow-up due /).waitFor();
    const stored = await webApi(`${opportunity.entitySetName}(${id})?$select=${O.idr_phase}`);
    expect(stored[`${O.idr_phase}${FORMATTED}`]).toBe('Quotation sent');
    expect(await seriousViolations(page)).toEqual([]);
    expect(await screenshot(page, 'opportunity-timeline')).toBeGreaterThan(20);
  });
});

const RANKING = () =>
  mainUrl({ appid: MARKETING_APP, pagetype: 'entitylist', etn: idr_interestprofile.logicalName });

/** The score column of the rows on display (rank, contact, score… when one concept is chosen). */
async function shownScores(grid: Locator): Promise<number[]> {
  const cells = await grid
    .locator('[role="row"]')
    .evaluateAll((rows) =>
      rows
        .map((row) => row.querySelectorAll('[role="gridcell"]')[2]?.textContent ?? null)
        .filter((text): text is string => text !== null),
    );
  return cells.map((text) => Number(text.replace(/,/g, '')));
}

describe('Impact Ranking as the interest profile grid', () => {
  it('ranks a concept’s contacts by score, filters by concept, and a row opens the contact', async () => {
    const { concept: top, conceptId: topId } = await scoredContact();
    const count = (
      await webApi<{ value: Row[] }>(
        `${idr_interestprofile.entitySetName}?$select=${P.idr_interestprofileid}&$filter=_${P.idr_concept}_value eq ${topId} and statecode eq 0`,
      )
    ).value.length;
    await page.goto(RANKING());
    const ranking = control('ImpactRanking');
    await ranking.getByLabel('Marketing concept').selectOption({ label: top });
    const grid = ranking.getByRole('grid');
    await ranking
      .getByRole('status')
      .filter({ hasText: `${count} of ${count}` })
      .waitFor();
    const scores = await shownScores(grid);
    expect(scores.length).toBe(count);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(await seriousViolations(page)).toEqual([]);
    expect(await screenshot(page, 'impact-ranking')).toBeGreaterThan(20);

    const first = grid.locator('[role="row"]').nth(1);
    const name = (await first.locator('[role="gridcell"]').nth(1).textContent()) ?? '';
    await first.click();
    await formReady(page);
    expect(new URL(page.url()).searchParams.get('etn')).toBe(contact.logicalName);
    await expect(page.locator('#idr-title').textContent()).resolves.toBe(name);
  });

  it('keeps fewer than 200 rows in the page while scrolling to row 5,000 of 10,000 profiles', async () => {
    // Its own concept (last in the picker): the demo's rankings stay as they are for the other tests.
    const conceptName = `Zz E2E scrolling ${Date.now()}`;
    const conceptId = await createRecord(idr_marketingconcept.entitySetName, {
      [MC.idr_name]: conceptName,
      [MC.idr_code]: `E2E-SCROLL-${Date.now()}`,
      [MC.idr_enterthreshold]: 50,
      [MC.idr_exitthreshold]: 40,
    });
    const landmark = new Date().toISOString();
    for (let batch = 0; batch < 10; batch++) {
      const numbers = Array.from({ length: 1000 }, (_, i) => batch * 1000 + i);
      const people = await webApi<{ Ids: string[] }>(
        `${contact.entitySetName}/Microsoft.Dynamics.CRM.CreateMultiple`,
        {
          method: 'POST',
          body: JSON.stringify({
            Targets: numbers.map((n) => ({
              '@odata.type': `Microsoft.Dynamics.CRM.${contact.logicalName}`,
              [contact.columns.firstname]: 'Scroll',
              [contact.columns.lastname]: `Zz-${String(n).padStart(5, '0')}`,
            })),
          }),
        },
      );
      await webApi(`${idr_interestprofile.entitySetName}/Microsoft.Dynamics.CRM.CreateMultiple`, {
        method: 'POST',
        body: JSON.stringify({
          Targets: people.Ids.map((id, i) => ({
            '@odata.type': `Microsoft.Dynamics.CRM.${idr_interestprofile.logicalName}`,
            'idr_contact@odata.bind': `/${contact.entitySetName}(${id})`,
            'idr_concept@odata.bind': `/${idr_marketingconcept.entitySetName}(${conceptId})`,
            // Distinct scores, highest first by number: row n shows rank n.
            [P.idr_accumulator]: 10_000 - (numbers[i] ?? 0),
            [P.idr_score]: 10_000 - (numbers[i] ?? 0),
            // The key the scorer writes with them (the concept's default half-life, 90 days).
            [P.idr_rankkey]: Number(
              rankKey(
                { accumulator: 10_000 - (numbers[i] ?? 0), landmark: Date.parse(landmark) },
                90,
              ).toFixed(10),
            ),
            [P.idr_landmarkon]: landmark,
            [P.idr_scoredon]: landmark,
          })),
        }),
      });
    }
    await page.goto(RANKING());
    const ranking = control('ImpactRanking');
    await ranking.getByLabel('Marketing concept').selectOption({ label: conceptName });
    const grid = ranking.getByRole('grid');
    await grid.getByRole('row', { name: 'Open Scroll Zz-00000' }).waitFor();
    const body = grid.locator('[role="rowgroup"]').last();
    // Scroll as a person does: to the end of what is loaded, which loads the next page, until row 5,000.
    for (;;) {
      const loaded = Number(await grid.getAttribute('aria-rowcount')) - 1;
      if (loaded >= 5000) break;
      await body.evaluate((element) => {
        const scroller = [element, ...Array.from(element.querySelectorAll('*'))].find(
          (e) => e.scrollHeight > e.clientHeight + 10,
        );
        if (scroller) scroller.scrollTop = scroller.scrollHeight;
      });
      await page.waitForFunction(
        ([selector, before]) =>
          Number(document.querySelector(selector)?.getAttribute('aria-rowcount') ?? 0) - 1 > before,
        ['[data-control-name="Ideario.ImpactRanking"] [role="grid"]', loaded] as const,
      );
    }
    await body.evaluate((element) => {
      const scroller = [element, ...Array.from(element.querySelectorAll('*'))].find(
        (e) => e.scrollHeight > e.clientHeight + 10,
      );
      if (scroller) scroller.scrollTop = 4999 * 40;
    });
    await grid.getByRole('row', { name: 'Open Scroll Zz-04999' }).waitFor();
    const rowsInDom = await page.locator('[role="row"]').count();
    expect(rowsInDom).toBeLessThan(200);
    expect(await screenshot(page, 'impact-ranking-row-5000')).toBeGreaterThan(20);
  });
});

describe('the controls in Spanish', () => {
  it('speak Spanish on the Contact form, the Opportunity form and the Impact Ranking', async () => {
    const { contactId } = await scoredContact();
    const deal = await webApi<{ value: Row[] }>(
      `${opportunity.entitySetName}?$select=${O.name}&$filter=${O.idr_arrivaldate} ne null&$orderby=${O.name}&$top=1`,
    );
    page = await newPage(browser, 3082);
    await page.goto(
      mainUrl({
        appid: MARKETING_APP,
        pagetype: 'entityrecord',
        etn: contact.logicalName,
        id: contactId,
        lang: '3082',
      }),
    );
    await formReady(page);
    await control('InterestProfile')
      .getByText(/^Interés principal: /)
      .waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await page.goto(
      mainUrl({
        appid: GROUP_SALES_APP,
        pagetype: 'entityrecord',
        etn: opportunity.logicalName,
        id: String(deal.value[0]?.[O.opportunityid]),
        lang: '3082',
      }),
    );
    await formReady(page);
    await control('QuotationTimeline')
      .getByText(/^1\. Solicitud/)
      .waitFor();

    await page.goto(`${RANKING()}&lang=3082`);
    await control('ImpactRanking').getByLabel('Concepto de marketing').waitFor();
    await expect(control('ImpactRanking').getByRole('tab', { name: 'Mapa de calor' }).count()).resolves.toBe(
      1,
    );
    expect(await seriousViolations(page)).toEqual([]);
  });
});
