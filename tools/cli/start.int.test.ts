import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { contact, idr_interaction, opportunity } from '../../dataverse/generated';
import { silentLogger } from '../../dataverse/logger';
import { LOCAL_TOKEN } from '../emulator/demo/extension';
import { DEMO_SIZES } from '../emulator/demo/plan';
import { runStart, type RunningStart } from './start';

const ROOT = path.join(__dirname, '..', '..');

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
    });
  }, 60_000);

  afterAll(async () => {
    await running?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('builds both solutions, loads the demo data and prints where everything is', () => {
    expect(readdirSync(dist).sort()).toEqual([
      'IdearioGroupQuotes_1_0_0_0.zip',
      'IdearioGroupQuotes_1_0_0_0_managed.zip',
      'IdearioInterests_1_0_0_0.zip',
      'IdearioInterests_1_0_0_0_managed.zip',
    ]);
    expect(printed.some((line) => line.startsWith('Demo data loaded (small)'))).toBe(true);
    expect(printed).toContain(`Home page:    ${running?.homeUrl ?? ''}`);
    expect(printed.some((line) => line.startsWith(`Web API:      ${running?.webApiUrl ?? ''}`))).toBe(true);
    expect(printed.some((line) => line.startsWith(`Webhook host: ${running?.hostUrl ?? ''}`))).toBe(true);
  });

  it('serves the home page with the demo data counted', async () => {
    const response = await fetch(running?.homeUrl ?? '');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await response.text();
    expect(page).toMatch(
      new RegExp(
        `<td><code>${idr_interaction.entitySetName}</code></td><td class="n">${DEMO_SIZES.small.interactions}</td>`,
      ),
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
});
