import path from 'node:path';
import { contact, idr_interestprofile, opportunity } from '../../../dataverse/generated';
import { builtControlsDir } from '../../solution/pcfcache.testkit';
import { loadMetadata } from '../../solution/loader';
import type { LanguageCode, MetadataModel } from '../../solution/model';
import { testEngine, type TestEngine } from '../testing/engine';
import { appModuleId } from './apps';
import { PcfControls } from './pcf';
import { renderMain, type FormBootstrap, type ListBootstrap } from './shell';

const MARKETING = appModuleId('idr_IdearioMarketing');
const SALES = appModuleId('idr_IdearioGroupSales');

let metadata: MetadataModel;
let built: PcfControls;
let unbuilt: PcfControls;
beforeAll(async () => {
  metadata = loadMetadata(path.join(__dirname, '..', '..', '..', 'solution'));
  const dir = await builtControlsDir();
  built = new PcfControls(() => dir);
  unbuilt = new PcfControls(() => undefined);
});

const t = {} as TestEngine;
beforeEach(() => Object.assign(t, testEngine({ metadata })));
afterEach(() => t.engine.close());

function html(query: Record<string, string>, lang: LanguageCode = 1033, controls = built): string {
  const answer = renderMain(
    t.engine,
    { params: new URLSearchParams(query), lang, controls },
    '/api/data/v9.2/',
  );
  if (answer.kind !== 'html') throw new Error(`expected a page, got a redirect to ${answer.location}`);
  return answer.body;
}

function bootstrap<T>(page: string, id: string): T {
  const json = new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(page)?.[1];
  return JSON.parse(json ?? 'null') as T;
}

it('hosts the Contact form’s InterestProfile where FormXml binds it, with its Spanish strings', () => {
  const id = '00000000-0000-0000-0000-0000000000c1';
  const page = html({ appid: MARKETING, pagetype: 'entityrecord', etn: contact.logicalName, id }, 3082);
  expect(page).toContain('data-control-name="Ideario.InterestProfile"');
  expect(page).toContain('<script src="/_ideario/pcf.js"></script>');
  const boot = bootstrap<FormBootstrap>(page, 'idr-bootstrap');
  const [spec] = boot.controls ?? [];
  expect(spec?.bundleUrl).toBe('/_ideario/pcf/controls/InterestProfile/bundle.js');
  expect(spec?.properties).toEqual([
    { name: 'field', column: contact.columns.fullname, ofType: 'SingleLine.Text' },
  ]);
  expect(spec?.strings.Segments).toBe('Segmentos: {0}');
});

it('binds the Opportunity header’s QuotationTimeline to the phase and the quotation dates', () => {
  const page = html({ appid: SALES, pagetype: 'entityrecord', etn: opportunity.logicalName });
  const [spec] = bootstrap<FormBootstrap>(page, 'idr-bootstrap').controls ?? [];
  expect(spec?.name).toBe('Ideario.QuotationTimeline');
  expect(spec?.properties).toEqual(
    expect.arrayContaining([
      { name: 'phase', column: opportunity.columns.idr_phase, ofType: 'OptionSet' },
      { name: 'arrival', column: opportunity.columns.idr_arrivaldate, ofType: 'DateAndTime.DateOnly' },
      { name: 'policy', column: opportunity.columns.idr_policy, ofType: 'Lookup.Simple' },
    ]),
  );
  // The bound columns are form attributes even where no field shows them.
  const columns = bootstrap<FormBootstrap>(page, 'idr-bootstrap').columns.map((c) => c.logicalName);
  expect(columns).toEqual(expect.arrayContaining(spec?.properties.map((p) => p.column) ?? ['missing']));
});

it('shows the interest profile list as the ImpactRanking dataset control instead of the plain grid', () => {
  const page = html({ appid: MARKETING, pagetype: 'entitylist', etn: idr_interestprofile.logicalName });
  expect(page).toContain('data-control-name="Ideario.ImpactRanking"');
  expect(page).not.toContain('<table class="grid">');
  const boot = bootstrap<ListBootstrap>(page, 'idr-pcf-bootstrap');
  const [spec] = boot.controls;
  expect(spec?.dataset?.name).toBe('profiles');
  expect(spec?.dataset?.entity).toBe(idr_interestprofile.logicalName);
  expect(spec?.dataset?.fetchXml).toContain('<entity name="idr_interestprofile">');
  expect(spec?.dataset?.columns.map((c) => c.name)).toContain(idr_interestprofile.columns.idr_score);
});

it('says a bound control is not built when there is no build, and loads no host script', () => {
  const page = html(
    { appid: MARKETING, pagetype: 'entitylist', etn: idr_interestprofile.logicalName },
    1033,
    unbuilt,
  );
  expect(page).toContain('The control Ideario.ImpactRanking is not built here: run npm run build');
  expect(page).not.toContain('/_ideario/pcf.js');
});

it('serves only files inside a control’s own build folder', () => {
  expect(built.file('ImpactRanking', 'bundle.js')).toMatch(/ImpactRanking[\\/]bundle\.js$/);
  expect(built.file('ImpactRanking', '../InterestProfile/bundle.js')).toBeUndefined();
  expect(built.file('..', 'ImpactRanking/bundle.js')).toBeUndefined();
  expect(unbuilt.file('ImpactRanking', 'bundle.js')).toBeUndefined();
});
