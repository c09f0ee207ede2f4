import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import {
  contact,
  customcontrol,
  idr_interaction,
  idr_interactionrule,
  idr_interestprofile,
  opportunity,
  organization,
  ProcessingStatus,
  transactioncurrency,
} from '../../dataverse/generated';
import { silentLogger } from '../../dataverse/logger';
import { LOCAL_TOKEN } from '../emulator/demo/extension';
import { DEMO_SIZES } from '../emulator/demo/plan';
import { appModuleId } from '../emulator/pages/apps';
import { runStart, type RunningStart } from './start';

const ROOT = path.join(__dirname, '..', '..');
/** Ceilings, not budgets: a loaded 2-core machine may take minutes to pack, load and score the demo. */
const IDLE_CEILING_MS = 10 * 60_000;
const START_CEILING_MS = 5 * 60_000;

describe('ideario start', () => {
  let dist: string;
  let running: RunningStart | undefined;
  const printed: string[] = [];

  beforeAll(async () => {
    dist = mkdtempSync(path.join(tmpdir(), 'ideario-start-'));
    running = await runStart({
      port: 0,
      hostPort: 0,
      reset: false,
      demo: true,
      demoSize: 'small',
      memory: true,
      solutionRoot: path.join(ROOT, 'solution'),
      distDir: dist,
      // No web resource build in a test: the form scripts under solution/ are packed as they are.
      webResourceBuild: path.join(dist, 'no-build.ts'),
      logger: silentLogger,
      print: (line) => printed.push(line),
      asyncConcurrency: 4,
      waitIdle: true,
    });
  }, START_CEILING_MS);

  afterAll(async () => {
    await running?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('builds both solutions with their PCF controls, loads the demo data and prints where everything is', async () => {
    expect(
      readdirSync(dist)
        .filter((f) => f.endsWith('.zip'))
        .sort(),
    ).toEqual([
      'IdearioGroupQuotes_1_0_0_0.zip',
      'IdearioGroupQuotes_1_0_0_0_managed.zip',
      'IdearioInterests_1_0_0_0.zip',
      'IdearioInterests_1_0_0_0_managed.zip',
    ]);
    const controls = async (zip: string) =>
      Object.keys((await JSZip.loadAsync(readFileSync(path.join(dist, zip)))).files)
        .filter((f) => f.endsWith('/bundle.js'))
        .sort();
    expect(await controls('IdearioInterests_1_0_0_0_managed.zip')).toEqual([
      'Controls/idr_Ideario.ImpactRanking/bundle.js',
      'Controls/idr_Ideario.InterestProfile/bundle.js',
      'Controls/idr_Ideario.TargetBuilder/bundle.js',
    ]);
    expect(await controls('IdearioGroupQuotes_1_0_0_0_managed.zip')).toEqual([
      'Controls/idr_Ideario.QuotationTimeline/bundle.js',
    ]);
    expect(printed.some((line) => line.startsWith('Demo data loaded (small)'))).toBe(true);
    expect(printed.some((line) => line.startsWith('Demo campaign "Spring newsletter": '))).toBe(true);
    // --wait-idle: the URLs come once the demo's system jobs are done.
    const waited = printed.indexOf('Waiting for the system jobs to finish…');
    expect(waited).toBeGreaterThanOrEqual(0);
    expect(printed.indexOf(`Home page:    ${running?.homeUrl ?? ''}`)).toBeGreaterThan(waited);
    expect(printed.some((line) => line.startsWith(`Web API:      ${running?.webApiUrl ?? ''}`))).toBe(true);
    expect(printed.some((line) => line.startsWith(`Webhook host: ${running?.hostUrl ?? ''}`))).toBe(true);
    // The first app printed is the Marketing app.
    expect(printed.find((line) => line.startsWith('App:'))).toBe(
      `App:          ${running?.emulator.url ?? ''}/main.aspx?appid=${appModuleId('idr_IdearioMarketing')} (Ideario Marketing)`,
    );
  });

  it('serves the home page with the demo data counted', async () => {
    const response = await fetch(running?.homeUrl ?? '');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await response.text();
    // The demo's interactions, and those its handlers derived (quotations) once the queue went idle.
    const counted = await fetch(`${running?.webApiUrl ?? ''}${idr_interaction.entitySetName}/$count`, {
      headers: { Authorization: `Bearer ${LOCAL_TOKEN}` },
    });
    const interactions = Number(await counted.text());
    expect(interactions).toBeGreaterThanOrEqual(DEMO_SIZES.small.interactions);
    expect(page).toMatch(
      new RegExp(`<td><code>${idr_interaction.entitySetName}</code></td><td class="n">${interactions}</td>`),
    );
    expect(page).toMatch(
      new RegExp(
        `<td><code>${opportunity.entitySetName}</code></td><td class="n">${DEMO_SIZES.small.quotationsPerPhase * 10}</td>`,
      ),
    );
  });

  it('answers Web API queries, FetchXML included, with the local token', async () => {
    const headers = { Authorization: `Bearer ${LOCAL_TOKEN}`, Accept: 'application/json' };
    const xml = `<fetch aggregate="true"><entity name="${contact.logicalName}"><attribute name="${contact.columns.contactid}" alias="people" aggregate="count" /></entity></fetch>`;
    const response = await fetch(
      `${running?.webApiUrl ?? ''}${contact.entitySetName}?fetchXml=${encodeURIComponent(xml)}`,
      { headers },
    );
    expect(response.status).toBe(200);
    const small = DEMO_SIZES.small;
    expect(((await response.json()) as { value: { people: number }[] }).value).toEqual([
      { people: small.employees + small.guests + small.agencies * small.agentsPerAgency },
    ]);
    const unauthorised = await fetch(`${running?.webApiUrl ?? ''}${contact.entitySetName}?$top=1`);
    expect(unauthorised.status).toBe(401);
  });

  it('records the three PCF controls as an import would, with the built manifest, and the euro as base currency', async () => {
    const headers = { Authorization: `Bearer ${LOCAL_TOKEN}`, Accept: 'application/json' };
    const get = async (query: string) =>
      (
        (await (await fetch(`${running?.webApiUrl ?? ''}${query}`, { headers })).json()) as {
          value: Record<string, unknown>[];
        }
      ).value;
    const C = customcontrol.columns;
    const controls = await get(
      `${customcontrol.entitySetName}?$select=${C.name},${C.version}&$orderby=${C.name}`,
    );
    expect(controls.map((c) => [c[C.name], c[C.version]])).toEqual([
      ['idr_Ideario.ImpactRanking', '1.0.0'],
      ['idr_Ideario.InterestProfile', '1.0.0'],
      ['idr_Ideario.QuotationTimeline', '1.0.0'],
      ['idr_Ideario.TargetBuilder', '1.0.0'],
    ]);
    const O = organization.columns;
    const [org] = await get(
      `${organization.entitySetName}?$expand=${O.basecurrencyid}($select=${transactioncurrency.columns.isocurrencycode})`,
    );
    expect(org?.[O.basecurrencyid]).toMatchObject({ [transactioncurrency.columns.isocurrencycode]: 'EUR' });
  });
  it(
    'scores an interaction POSTed to the Web API through the webhook host, over HTTP both ways',
    async () => {
      const api = running?.webApiUrl ?? '';
      const headers = {
        Authorization: `Bearer ${LOCAL_TOKEN}`,
        Accept: 'application/json',
        'Content-Type': 'application/json',
      };
      const get = async (url: string) =>
        ((await (await fetch(`${api}${url}`, { headers })).json()) as { value: Record<string, unknown>[] })
          .value;
      const R = idr_interactionrule.columns;
      const [rule] = await get(
        `${idr_interactionrule.entitySetName}?$select=${R.idr_eventtype}&$filter=${R.idr_match} eq null and ${R.idr_points} gt 0&$top=1`,
      );
      const eventType = rule[R.idr_eventtype] as number;
      // A fresh contact's event with no URL or campaign gets the points of every rule of its type without a match.
      const rules = await get(
        `${idr_interactionrule.entitySetName}?$select=${R.idr_points},_${R.idr_concept}_value&$filter=${R.idr_eventtype} eq ${eventType} and ${R.idr_match} eq null`,
      );
      const expected = new Map<string, number>();
      for (const r of rules) {
        const concept = r[`_${R.idr_concept}_value`] as string;
        expected.set(concept, (expected.get(concept) ?? 0) + (r[R.idr_points] as number));
      }
      const [conceptId, points] = [...expected].sort((a, b) => b[1] - a[1])[0];
      const created = await fetch(`${api}${contact.entitySetName}`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          [contact.columns.lastname]: 'Ferrer',
          [contact.columns.donotbulkemail]: false,
        }),
      });
      const contactId = /\(([^)]+)\)/.exec(created.headers.get('OData-EntityId') ?? '')?.[1] ?? '';
      const I = idr_interaction.columns;
      const posted = await fetch(`${api}${idr_interaction.entitySetName}`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          [I.idr_name]: 'Visit to the pricing page',
          [`${I.idr_contact}@odata.bind`]: `/${contact.entitySetName}(${contactId})`,
          [I.idr_eventtype]: eventType,
          [I.idr_occurredon]: new Date().toISOString(),
          [I.idr_source]: 'website',
          [I.idr_externalid]: `visit-${contactId}`,
        }),
      });
      expect(posted.status).toBe(204);
      const interactionId = /\(([^)]+)\)/.exec(posted.headers.get('OData-EntityId') ?? '')?.[1] ?? '';

      // The async step is a system job: the emulator POSTs to the host, whose handler writes back over HTTP.
      // It queues behind the demo's jobs, so wait for the queue to be idle, however long a loaded machine takes.
      await running?.emulator.whenJobsIdle({ timeoutMs: IDLE_CEILING_MS });
      const [row] = await get(
        `${idr_interaction.entitySetName}?$select=${I.idr_processingstatus}&$filter=${idr_interaction.primaryIdAttribute} eq ${interactionId}`,
      );
      const status = row?.[I.idr_processingstatus];
      expect(status).toBe(ProcessingStatus.Scored);
      const P = idr_interestprofile.columns;
      const profiles = await get(
        `${idr_interestprofile.entitySetName}?$select=${P.idr_score},${P.idr_eventcount}&$filter=_${P.idr_contact}_value eq ${contactId} and _${P.idr_concept}_value eq ${conceptId}`,
      );
      expect(profiles).toHaveLength(1);
      expect(profiles[0][P.idr_score] as number).toBeCloseTo(points, 2);
      expect(profiles[0][P.idr_eventcount]).toBe(1);
      const [person] = await get(
        `${contact.entitySetName}?$select=_${contact.columns.idr_primaryinterest}_value&$filter=${contact.primaryIdAttribute} eq ${contactId}`,
      );
      // Ties between concepts are broken by concept code (domain/interest/primary.ts): any top concept will do here.
      expect(expected.get(person[`_${contact.columns.idr_primaryinterest}_value`] as string)).toBe(points);
    },
    IDLE_CEILING_MS + 60_000,
  );
});
