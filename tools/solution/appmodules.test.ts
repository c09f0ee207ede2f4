/**
 * Model-driven apps list the main form of every table their site map opens, as the app designer writes
 * them (an AppModuleComponent of type 60, systemform, per form): an app that lists forms for some tables
 * only would open the others on whatever form Dataverse picks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { normalizeGuid } from './source-xml';
import { readSolutionSource, solutionDirs } from './loader';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ['AppModuleComponent', 'SubArea'].includes(name),
});

/** Every SubArea Entity under the site map, wherever it nests. */
function entities(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(entities);
  if (typeof value !== 'object' || value === null) return [];
  const own = (value as { Entity?: unknown }).Entity;
  return [
    ...(typeof own === 'string' ? [own] : []),
    ...Object.values(value as Record<string, unknown>).flatMap(entities),
  ];
}

const apps = solutionDirs('solution').flatMap((dir) => {
  const model = readSolutionSource(dir).model;
  const src = path.join(dir, 'src');
  let names: string[] = [];
  try {
    names = readdirSync(path.join(src, 'AppModules'));
  } catch {
    names = [];
  }
  return names.map((name) => {
    const app = parser.parse(readFileSync(path.join(src, 'AppModules', name, 'AppModule.xml'), 'utf8')) as {
      AppModule: { AppModuleComponents: { AppModuleComponent: { type: string; id?: string }[] } };
    };
    const siteMap: unknown = parser.parse(
      readFileSync(path.join(src, 'AppModuleSiteMaps', name, 'AppModuleSiteMap.xml'), 'utf8'),
    );
    const listed = new Set(
      app.AppModule.AppModuleComponents.AppModuleComponent.filter((c) => String(c.type) === '60').map((c) =>
        normalizeGuid(c.id ?? ''),
      ),
    );
    // The solution's own main forms of the tables the site map opens.
    const wanted = [...new Set(entities(siteMap))].flatMap((table) =>
      (model?.tables[table]?.forms ?? [])
        .filter((f) => f.type === 'main')
        .map((f) => ({ table, form: normalizeGuid(f.id) })),
    );
    return { name, listed, wanted };
  });
});

it('finds the apps', () => {
  expect(apps.map((a) => a.name)).toEqual(
    expect.arrayContaining(['idr_IdearioMarketing', 'idr_IdearioGroupSales']),
  );
});

it.each(apps.map((a) => [a.name, a] as const))(
  '%s lists the main form of every table its site map opens',
  (_, app) => {
    expect(app.wanted.length).toBeGreaterThan(1);
    expect(app.wanted.filter((w) => !app.listed.has(w.form))).toEqual([]);
  },
);
