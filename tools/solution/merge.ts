/** Merging platform tables and several solutions into one environment's metadata. */
import { applyRelationshipTargets, pushUnique } from './components';
import { displayPath, problem, type SolutionSourceError } from './errors';
import type {
  MetadataModel,
  OptionModel,
  OptionSetModel,
  RelationshipModel,
  SolutionModel,
  TableModel,
} from './model';
import { own } from './source-xml';

function sameOptions(a: readonly OptionModel[] | undefined, b: readonly OptionModel[] | undefined): boolean {
  const key = (o: OptionModel): string => `${o.value}=${o.identifier}`;
  return (a ?? []).map(key).sort().join() === (b ?? []).map(key).sort().join();
}

function mergeTable(into: TableModel, from: TableModel, problems: SolutionSourceError[]): void {
  for (const [name, column] of Object.entries(from.columns)) {
    const existing = own(into.columns, name);
    if (!existing) {
      into.columns[name] = structuredClone(column);
      continue;
    }
    if (existing.type !== column.type || existing.optionSetName !== column.optionSetName) {
      problems.push(
        problem(
          'conflicting-definition',
          from.file,
          undefined,
          `column ${into.logicalName}.${name} is ${column.type}${column.optionSetName ? `(${column.optionSetName})` : ''} here but ${existing.type}${existing.optionSetName ? `(${existing.optionSetName})` : ''} in ${displayPath(into.file)}`,
          'Define the column the same way everywhere it appears (type and choice), or rename one of them.',
        ),
      );
      continue;
    }
    for (const target of column.targets ?? []) {
      existing.targets ??= [];
      if (!existing.targets.includes(target)) existing.targets.push(target);
    }
    for (const option of column.options ?? []) {
      existing.options ??= [];
      if (!existing.options.some((o) => o.value === option.value))
        existing.options.push(structuredClone(option));
    }
  }
  for (const key of from.alternateKeys)
    if (!into.alternateKeys.some((k) => k.name === key.name)) into.alternateKeys.push(structuredClone(key));
  into.forms.push(...from.forms);
  into.views.push(...from.views);
  if (from.visualizations) (into.visualizations ??= []).push(...from.visualizations);
  if (!into.entitySetName) into.entitySetName = from.entitySetName;
  if (!into.primaryNameAttribute) into.primaryNameAttribute = from.primaryNameAttribute;
}

/** Merges platform tables and solutions into what one environment with all of them installed would know. */
export function mergeMetadata(
  platformTables: Record<string, TableModel>,
  solutions: readonly SolutionModel[],
  // Standard relationships (contact_customer_accounts) a form's subgrid names; never packed.
  platformRelationships: readonly RelationshipModel[] = [],
): { metadata: MetadataModel; problems: SolutionSourceError[] } {
  const problems: SolutionSourceError[] = [];
  const tables: Record<string, TableModel> = {};
  for (const [name, table] of Object.entries(platformTables))
    tables[name] = {
      ...structuredClone({ ...table, forms: [], views: [], visualizations: [] }),
      forms: [...table.forms],
      views: [...table.views],
      visualizations: [...(table.visualizations ?? [])],
    };
  const optionSets: Record<string, OptionSetModel> = {};
  const relationships: RelationshipModel[] = [...platformRelationships];
  for (const solution of solutions) {
    for (const [name, table] of Object.entries(solution.tables)) {
      if (!tables[name])
        tables[name] = {
          ...structuredClone({ ...table, forms: [], views: [], visualizations: [] }),
          forms: [...table.forms],
          views: [...table.views],
          visualizations: [...(table.visualizations ?? [])],
        };
      else mergeTable(tables[name], table, problems);
    }
    for (const [name, optionSet] of Object.entries(solution.optionSets)) {
      const existing = optionSets[name];
      if (!existing) optionSets[name] = structuredClone(optionSet);
      else if (
        !sameOptions(existing.options, optionSet.options) ||
        existing.identifier !== optionSet.identifier
      ) {
        problems.push(
          problem(
            'conflicting-definition',
            optionSet.file,
            undefined,
            `choice ${name} differs from the one in ${displayPath(existing.file)} (values or labels)`,
            'A choice shipped by both solutions must be identical in both: copy one file over the other.',
          ),
        );
      }
    }
    for (const rel of solution.relationships) pushUnique(relationships, rel, (x) => x.name);
  }
  applyRelationshipTargets(tables, relationships);
  return { metadata: { tables, optionSets, relationships, solutions: [...solutions] }, problems };
}
