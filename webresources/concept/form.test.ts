/**
 * The Marketing Concept form explains, before saving, what the catalogue guard on the server would
 * refuse with only a generic error: exit above enter threshold, and one active concept too many.
 */
import path from 'node:path';
import type { EntityRecord } from '../../dataverse/client';
import { tableNamesFrom } from '../../dataverse/adapters/webapi-client';
import { createXrmReader } from '../../dataverse/adapters/xrm-client';
import {
  environmentvariabledefinition,
  environmentvariablevalue,
  idr_marketingconcept,
} from '../../dataverse/generated';
import { createForm, type FormHarness, generatedTables, memoryClient } from '../../tools/harness';
import { loadMetadata } from '../../tools/solution/loader';
import { WEB_RESOURCES } from '../build';
import { createConceptForm, FORM_TABLES, MAX_ACTIVE_CONCEPTS_VARIABLE } from './form';

const c = idr_marketingconcept.columns;
const { Active, Inactive } = idr_marketingconcept.choices.statecode;
const library = WEB_RESOURCES.find((w) => w.folder === 'concept');
const metadata = loadMetadata(path.join(__dirname, '..', '..', 'solution'));
const layout = metadata.tables[idr_marketingconcept.logicalName].forms.find(
  (f) => library !== undefined && f.libraries.includes(library.webResourceName),
);

type ConceptColumn = Extract<(typeof c)[keyof typeof c], string>;

interface OpenOptions {
  existing?: boolean;
  values?: Partial<Record<ConceptColumn, number | string | null>>;
  activeConcepts?: number;
  /** The environment variable's current value (none by default) and its default value. */
  limitValue?: string;
  limitDefault?: string;
  userLanguage?: 1033 | 3082;
}

function concepts(active: number): EntityRecord[] {
  const rows: EntityRecord[] = [];
  for (let i = 0; i < active; i++)
    rows.push({
      [c.idr_marketingconceptid]: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
      [c.statecode]: Active,
    });
  rows.push({ [c.idr_marketingconceptid]: '00000000-0000-0000-0000-0000000000ff', [c.statecode]: Inactive });
  return rows;
}

async function openConcept(options: OpenOptions = {}): Promise<FormHarness<ConceptColumn>> {
  if (!layout) throw new Error(`No Marketing Concept form in solution/ loads ${library?.webResourceName}`);
  const byName = { schemaname: MAX_ACTIVE_CONCEPTS_VARIABLE };
  const form = createForm({
    table: idr_marketingconcept,
    form: layout,
    values: options.values,
    formType: options.existing ? 'update' : 'create',
    id: options.existing ? '{5a0c1a5e-0000-4000-8000-00000000c0de}' : undefined,
    userLanguage: options.userLanguage,
    webApi: memoryClient(generatedTables(), {
      [idr_marketingconcept.entitySetName]: concepts(options.activeConcepts ?? 0),
      [environmentvariabledefinition.entitySetName]: [
        { ...byName, [environmentvariabledefinition.columns.defaultvalue]: options.limitDefault ?? '30' },
      ],
      [environmentvariablevalue.entitySetName]:
        options.limitValue === undefined
          ? []
          : [{ ...byName, [environmentvariablevalue.columns.value]: options.limitValue }],
    }),
  });
  const handlers = createConceptForm({
    client: () => createXrmReader(form.xrm.WebApi, { tables: FORM_TABLES }),
  });
  form.registerHandlers(layout.handlers, { Ideario: { Interests: { Concept: handlers } } });
  await form.load();
  return form;
}

describe('the Marketing Concept form wires this script', () => {
  it('registers load, save and both thresholds, and the solution defines the limit variable it reads', () => {
    const handlers = layout?.handlers ?? [];
    expect(handlers.map((h) => h.event)).toEqual(expect.arrayContaining(['onload', 'onsave']));
    expect(handlers.filter((h) => h.event === 'onchange').map((h) => h.attribute)).toEqual(
      expect.arrayContaining([c.idr_enterthreshold, c.idr_exitthreshold]),
    );
    const variables = metadata.solutions.flatMap((s) => s.environmentVariables.map((v) => v.schemaName));
    expect(variables).toContain(MAX_ACTIVE_CONCEPTS_VARIABLE);
  });

  it('maps the entity sets it reads as the generated tables do (its map is written out name by name)', () => {
    // The reader needs each table's logical name only (Xrm.WebApi addresses tables by it).
    const generated = tableNamesFrom([
      environmentvariabledefinition,
      environmentvariablevalue,
      idr_marketingconcept,
    ]);
    expect(FORM_TABLES).toEqual(
      Object.fromEntries(
        Object.entries(generated).map(([set, names]) => [set, { logicalName: names.logicalName }]),
      ),
    );
  });
});

describe('thresholds', () => {
  it('flags an exit threshold above the enter threshold on the field as it is typed', async () => {
    const form = await openConcept({ values: { [c.idr_enterthreshold]: 10 } });
    await form.change(c.idr_exitthreshold, 12);
    expect(form.fieldNotification(c.idr_exitthreshold)).toBe(
      'The exit threshold (12) is above the enter threshold (10): a contact who just entered the segment would leave it at once. Set the exit threshold at or below 10.',
    );
    await form.change(c.idr_enterthreshold, 12);
    expect(form.fieldNotification(c.idr_exitthreshold)).toBeUndefined();
  });

  it('blocks the save with the reason, and lets it through once fixed', async () => {
    const form = await openConcept({
      existing: true,
      values: { [c.idr_enterthreshold]: 10, [c.idr_exitthreshold]: 5 },
    });
    await form.change(c.idr_exitthreshold, 15);
    const refused = await form.save();
    expect(refused.saved).toBe(false);
    expect(form.formNotifications()).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: expect.stringMatching(
          /^The concept cannot be saved until you fix this: The exit threshold \(15\)/,
        ) as unknown,
      }),
    ]);
    await form.change(c.idr_exitthreshold, 8);
    expect(form.formNotifications()).toEqual([]);
    expect((await form.save()).saved).toBe(true);
  });

  it('speaks Spanish to a Spanish user', async () => {
    const form = await openConcept({ userLanguage: 3082, values: { [c.idr_enterthreshold]: 4 } });
    await form.change(c.idr_exitthreshold, 5);
    expect(form.fieldNotification(c.idr_exitthreshold)).toMatch(
      /^El umbral de salida \(5\) es mayor que el de entrada \(4\)/,
    );
  });
});

describe('the active concept limit', () => {
  it('warns on opening a new concept when the limit is reached, and refuses its save', async () => {
    const form = await openConcept({ activeConcepts: 30 });
    expect(form.formNotifications()).toEqual([
      expect.objectContaining({
        level: 'WARNING',
        message: expect.stringContaining(
          '30 marketing concepts are already active and at most 30 may be',
        ) as unknown,
      }),
    ]);
    const result = await form.save();
    expect(result).toMatchObject({ prevented: true, saved: false });
    expect(form.formNotifications().map((n) => n.level)).toEqual(['WARNING', 'ERROR']);
  });

  it('takes the limit from the environment variable value before its default', async () => {
    const below = await openConcept({ activeConcepts: 3, limitValue: '4', limitDefault: '2' });
    expect(below.formNotifications()).toEqual([]);
    expect((await below.save()).saved).toBe(true);
    const reached = await openConcept({ activeConcepts: 2, limitDefault: '2' });
    expect((await reached.save()).saved).toBe(false);
  });

  it('does not count for a concept that already exists (activation is not a save)', async () => {
    const form = await openConcept({ existing: true, activeConcepts: 30 });
    expect(form.webApiCalls).toEqual([]);
    expect((await form.save()).saved).toBe(true);
  });
});
