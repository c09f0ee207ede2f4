/**
 * 1,000 seeded, generated OData and FetchXML queries (well-formed, malformed and pathological) against
 * the emulator with the real metadata: none answers 5xx, none hangs (each has a ceiling), and a plain
 * GET still answers afterwards.
 */
import path from 'node:path';
import { contact, idr_interaction, idr_marketingconcept } from '../../../dataverse/generated';
import { Draw, seededRandom } from '../../../domain/random';
import { startEmulator, type RunningEmulator } from '../start';

const INPUTS = 1_000;
const SEED = 20261206;
const SOLUTION_ROOT = path.join(__dirname, '..', '..', '..', 'solution');

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ memory: true, port: 0, solutionRoot: SOLUTION_ROOT });
  for (let i = 0; i < 200; i++)
    await emulator.engine.create(contact.entitySetName, {
      [contact.columns.firstname]: `n${i % 7}`,
      [contact.columns.lastname]: i % 2 ? 'Vidal' : 'Ortega',
    });
});

afterAll(async () => {
  await emulator.close();
});

const COLUMNS = [
  contact.columns.firstname,
  contact.columns.lastname,
  contact.primaryIdAttribute,
  'nosuchcolumn',
];
const SETS = [
  contact.entitySetName,
  idr_interaction.entitySetName,
  idr_marketingconcept.entitySetName,
  'nosuchset',
];
const GARBAGE = [
  "'",
  '(',
  ')',
  '%ZZ',
  '%',
  '\u0000',
  ' and ',
  ' or ',
  'eq',
  '$',
  '/',
  ',',
  '"',
  '<',
  '>',
  '&',
];

/** Mostly real columns, so valid queries run too; now and then one the table does not have. */
function column(draw: Draw): string {
  return draw.chance(0.85) ? draw.pick(COLUMNS.slice(0, 3)) : draw.pick(COLUMNS);
}

function literal(draw: Draw): string {
  return draw.pick(["'a'", "'O''Neil'", '1', '-5', 'null', 'true', '2025-01-01', "'\u00e9'", '1e400', "''"]);
}

function filter(draw: Draw, depth = 0): string {
  const roll = draw.int(0, depth > 3 ? 1 : 5);
  if (roll === 0) return `${column(draw)} ${draw.pick(['eq', 'ne', 'gt', 'le', 'xx'])} ${literal(draw)}`;
  if (roll === 1)
    return `${draw.pick(['contains', 'startswith', 'endswith', 'tolower'])}(${column(draw)},${literal(draw)})`;
  if (roll === 2) return `(${filter(draw, depth + 1)})`;
  if (roll === 3) return `not ${filter(draw, depth + 1)}`;
  if (roll === 4)
    return Array.from(
      { length: draw.pick([2, 3, 50, 600]) },
      () => `${column(draw)} eq ${literal(draw)}`,
    ).join(draw.pick([' or ', ' and ']));
  return `${filter(draw, depth + 1)} ${draw.pick(['and', 'or'])} ${filter(draw, depth + 1)}`;
}

function mangle(draw: Draw, text: string): string {
  if (!draw.chance(0.2)) return text;
  const at = draw.int(0, text.length);
  return draw.chance(0.5) ? `${text.slice(0, at)}${draw.pick(GARBAGE)}${text.slice(at)}` : text.slice(0, at);
}

function fetchXml(draw: Draw): string {
  const link = () =>
    `<link-entity name="${draw.pick([contact.logicalName, 'account', 'nosuch'])}" from="${column(draw)}" to="${column(draw)}" link-type="${draw.pick(['inner', 'outer', 'exists', 'bogus'])}"/>`;
  const links = Array.from({ length: draw.pick([0, 1, 3, 15, 16, 40]) }, link).join('');
  const conditions = Array.from(
    { length: draw.pick([0, 1, 5, 499, 501]) },
    () =>
      `<condition attribute="${column(draw)}" operator="${draw.pick(['eq', 'like', 'in', 'nope'])}" value="${draw.int(0, 9)}"/>`,
  ).join('');
  const prefix = draw.chance(0.05) ? '<!DOCTYPE fetch [<!ENTITY x "y">]>' : '';
  const aggregate = draw.chance(0.2);
  const attribute = aggregate
    ? `<attribute name="${contact.primaryIdAttribute}" alias="n" aggregate="count"/>`
    : `<attribute name="${column(draw)}"/>`;
  return `${prefix}<fetch${aggregate ? ' aggregate="true"' : ''} top="${draw.pick(['5', '-1', 'x', '5000'])}"><entity name="${contact.logicalName}">${attribute}<filter type="${draw.pick(['and', 'or'])}">${conditions}</filter>${links}</entity></fetch>`;
}

function generate(draw: Draw): string {
  const set = draw.chance(0.8) ? contact.entitySetName : draw.pick(SETS);
  switch (draw.int(0, 4)) {
    case 0:
      return `${set}?$filter=${encodeURIComponent(mangle(draw, filter(draw)))}`;
    case 1:
      return `${contact.entitySetName}?fetchXml=${encodeURIComponent(mangle(draw, fetchXml(draw)))}`;
    case 2:
      return `${set}?$select=${mangle(draw, draw.sample(COLUMNS, draw.int(1, 3)).join(','))}&$top=${draw.pick(['1', '0', '-1', 'x', '99999'])}`;
    case 3:
      return `${set}?$orderby=${encodeURIComponent(mangle(draw, `${column(draw)} ${draw.pick(['asc', 'desc', 'sideways'])}`))}&$expand=${draw.pick(['', 'parentcustomerid_account', 'nosuch($select=x)', '((('])}`;
    default:
      return mangle(
        draw,
        `${set}(${draw.pick(['', "'x'", '00000000-0000-0000-0000-000000000000', '%ZZ', 'a=b'])})`,
      );
  }
}

it(`answers ${INPUTS} generated queries without a 5xx or a hang, and keeps serving`, async () => {
  const draw = new Draw(seededRandom(SEED));
  const wrong: string[] = [];
  const statuses = new Map<number, number>();
  for (let i = 0; i < INPUTS; i++) {
    const query = generate(draw);
    const response = await fetch(`${emulator.serviceRoot}${query}`, { signal: AbortSignal.timeout(60_000) });
    const body = await response.text();
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    if (response.status >= 500)
      wrong.push(`${response.status} ${query.slice(0, 200)}: ${body.slice(0, 200)}`);
    if (response.status >= 400 && response.status !== 431)
      expect(JSON.parse(body)).toMatchObject({ error: { code: expect.stringMatching(/^0x/) as unknown } });
  }
  expect(wrong.slice(0, 10)).toEqual([]);
  // The inputs exercised both answers: plenty of successes and plenty of refusals.
  expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
  expect([...statuses].filter(([s]) => s >= 400).reduce((n, [, c]) => n + c, 0)).toBeGreaterThan(100);
  expect((await fetch(`${emulator.serviceRoot}${contact.entitySetName}?$top=1`)).status).toBe(200);
});
