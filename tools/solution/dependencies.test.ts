import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { account, contact, incident, list, opportunity } from '../../dataverse/generated';
import { silentLogger } from '../../dataverse/logger';
import { SOLUTION_NAMES } from '../../plugins/registry';
import {
  computeMissingDependencies,
  CUSTOMER_SERVICE_SOLUTION,
  DEPENDENCY_COMPONENT,
  readMissingDependencies,
  SALES_SOLUTION,
  SYSTEM_SOLUTION,
  type MissingDependencyEntry,
} from './dependencies';
import { loadPlatform, loadSolution } from './loader';
import { packSolutions } from './pack';
import { builtControlsDir } from './pcfcache.testkit';
import { validateSolutionSource } from './validate';
import { attr, child, elements, parseXml, type XmlElement } from './xml';
import { readZip } from './zip';

const SOLUTION_ROOT = path.resolve(__dirname, '../../solution');
const [INTERESTS, GROUP_QUOTES] = SOLUTION_NAMES;
const platform = loadPlatform(path.join(SOLUTION_ROOT, 'platform')).tables;

function computed(name: string): MissingDependencyEntry[] {
  return computeMissingDependencies(loadSolution(path.join(SOLUTION_ROOT, name)), platform);
}

/** Required table → the dependents listed for it. */
function byRequired(entries: readonly MissingDependencyEntry[]): Map<string, MissingDependencyEntry[]> {
  const map = new Map<string, MissingDependencyEntry[]>();
  for (const e of entries) map.set(e.required.schemaName, [...(map.get(e.required.schemaName) ?? []), e]);
  return map;
}

it('Group Quotes needs Opportunity from Dynamics 365 Sales for every column it adds, and Account and Contact from the system', () => {
  const entries = computed(GROUP_QUOTES);
  const required = byRequired(entries);
  expect([...required.keys()].sort()).toEqual(
    [account.logicalName, contact.logicalName, opportunity.logicalName].sort(),
  );
  const opp = required.get(opportunity.logicalName) ?? [];
  expect(opp[0]?.required).toEqual({
    type: DEPENDENCY_COMPONENT.table,
    schemaName: opportunity.logicalName,
    displayName: 'Opportunity',
    solution: SALES_SOLUTION.uniqueName,
  });
  // One dependent per column the solution adds to opportunity, named as Dataverse names them.
  const added = Object.values(
    loadSolution(path.join(SOLUTION_ROOT, GROUP_QUOTES)).tables.opportunity?.columns ?? {},
  )
    .filter((c) => c.isCustom)
    .map((c) => c.logicalName)
    .sort();
  expect(
    opp.filter((e) => e.dependent.type === DEPENDENCY_COMPONENT.column).map((e) => e.dependent.schemaName),
  ).toEqual(added);
  expect(opp.find((e) => e.dependent.schemaName === opportunity.columns.idr_arrivaldate)?.dependent).toEqual({
    type: DEPENDENCY_COMPONENT.column,
    schemaName: opportunity.columns.idr_arrivaldate,
    displayName: 'Arrival Date',
    parentSchemaName: opportunity.logicalName,
    parentDisplayName: 'Opportunity',
  });
  expect(
    required.get(account.logicalName)?.every((e) => e.required.solution === SYSTEM_SOLUTION.uniqueName),
  ).toBe(true);
});

it('Interests needs Case from Customer Service, marketing lists and campaigns from Sales, and never the security tables', () => {
  const entries = computed(INTERESTS ?? '');
  const required = byRequired(entries);
  expect(required.get(incident.logicalName)?.[0]?.required.solution).toBe(
    CUSTOMER_SERVICE_SOLUTION.uniqueName,
  );
  expect(required.get(list.logicalName)?.[0]?.required.solution).toBe(SALES_SOLUTION.uniqueName);
  expect(required.get(contact.logicalName)?.[0]?.required.solution).toBe(SYSTEM_SOLUTION.uniqueName);
  // Its own tables, and the ownership tables every environment has, are never "missing".
  for (const name of [
    'systemuser',
    'team',
    'businessunit',
    'owner',
    'idr_interaction',
    'idr_marketingconcept',
  ])
    expect(required.has(name)).toBe(false);
  // The marketing list lookup of a concept is a relationship that needs the list table.
  expect(
    required
      .get(list.logicalName)
      ?.some(
        (e) =>
          e.dependent.type === DEPENDENCY_COMPONENT.relationship &&
          e.dependent.schemaName.includes('marketinglist'),
      ),
  ).toBe(true);
});

it('writes the same attributes, in the same element shape, as a real Dataverse export', () => {
  const fixture = parseXml(
    readFileSync(path.join(__dirname, '__fixtures__', 'dataverse-export', 'solution.xml')),
    'solution.xml',
  ).root;
  const manifest = child(fixture, 'SolutionManifest') as XmlElement;
  const [real] = readMissingDependencies(manifest);
  const [ours] = computed(GROUP_QUOTES).filter((e) => e.dependent.type === DEPENDENCY_COMPONENT.column);
  expect(Object.keys(ours?.required ?? {}).sort()).toEqual(Object.keys(real?.required ?? {}).sort());
  expect(Object.keys(ours?.dependent ?? {}).sort()).toEqual(Object.keys(real?.dependent ?? {}).sort());
});

describe('ideario pack', () => {
  let out: string;
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes the computed <MissingDependencies> into each zip solution.xml, managed and unmanaged', async () => {
    out = mkdtempSync(path.join(os.tmpdir(), 'ideario-deps-'));
    const zips = await packSolutions({
      pcfDir: await builtControlsDir(),
      solutionRoot: SOLUTION_ROOT,
      outDir: out,
      solution: GROUP_QUOTES,
      validate: (d) => validateSolutionSource(d),
      logger: silentLogger,
    });
    expect(zips).toHaveLength(2);
    const expected = computed(GROUP_QUOTES);
    for (const zip of zips) {
      const parts = await readZip(readFileSync(zip.file), zip.file);
      const manifest = child(
        parseXml(parts.get('solution.xml') as Uint8Array, 'solution.xml').root,
        'SolutionManifest',
      ) as XmlElement;
      expect(readMissingDependencies(manifest)).toEqual(expected);
      // Right after <RootComponents>, as in an export.
      const names = elements(manifest).map((e) => e.name);
      expect(names.indexOf('MissingDependencies')).toBe(names.indexOf('RootComponents') + 1);
      const first = elements(child(manifest, 'MissingDependencies') as XmlElement, 'MissingDependency')[0];
      const requiredEl = first ? child(first, 'Required') : undefined;
      expect(requiredEl ? attr(requiredEl, 'solution') : undefined).toBe(SYSTEM_SOLUTION.uniqueName);
    }
  });
});
