/**
 * A solution environment variable as code reads it at run time: the environment's current value
 * (`environmentvariablevalue`) when one is set, otherwise the definition's default ("Use environment
 * variables in solutions", Power Apps docs). Works with every client (form scripts, the CLI, handlers).
 */
import type { DataverseClient } from './client';
// Names modules as namespaces, so a form script's bundle keeps only these names.
import * as definition from './generated/names/environmentvariabledefinition';
import * as current from './generated/names/environmentvariablevalue';

export async function readEnvironmentVariable(
  client: Pick<DataverseClient, 'retrieveMultiple'>,
  schemaName: string,
): Promise<string | null> {
  const byName = `${definition.schemaname} eq '${schemaName.replace(/'/g, "''")}'`;
  const [values, definitions] = await Promise.all([
    client.retrieveMultiple(current.entitySetName, { select: [current.value], filter: byName, top: 1 }),
    client.retrieveMultiple(definition.entitySetName, {
      select: [definition.defaultvalue],
      filter: byName,
      top: 1,
    }),
  ]);
  const set = values[0]?.[current.value];
  if (typeof set === 'string' && set.trim() !== '') return set;
  const fallback = definitions[0]?.[definition.defaultvalue];
  return typeof fallback === 'string' ? fallback : null;
}
