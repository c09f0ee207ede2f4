/**
 * The deployment settings file of `pac solution create-settings` / `pac solution import --settings-file`
 * ("Pre-populate connection references and environment variables for automated deployments",
 * learn.microsoft.com/power-platform/alm/conn-ref-env-variables-build-tools): a JSON object with
 * `EnvironmentVariables: [{ SchemaName, Value }]` and `ConnectionReferences: [{ LogicalName,
 * ConnectionId, ConnectorId }]`. An empty Value leaves the variable as it is, as pac does.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { EnvironmentVariableModel } from '../solution/model';
import { SettingsFileError } from './errors';

export interface DeploymentSettings {
  readonly EnvironmentVariables: { SchemaName: string; Value: string }[];
  readonly ConnectionReferences: { LogicalName: string; ConnectionId: string; ConnectorId: string }[];
}

/** What `--create-settings` writes: every variable of the chosen solutions with an empty value. */
export function createSettings(variables: readonly EnvironmentVariableModel[]): DeploymentSettings {
  const names = [...new Set(variables.map((v) => v.schemaName))];
  return {
    EnvironmentVariables: names.map((SchemaName) => ({ SchemaName, Value: '' })),
    // Neither solution holds a connection reference; the key stays so pac reads the file as its own.
    ConnectionReferences: [],
  };
}

export async function writeSettingsFile(file: string, settings: DeploymentSettings): Promise<void> {
  await writeFile(file, `${JSON.stringify(settings, null, 2)}\n`, { flag: 'w' });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The variable values the file gives (empty ones left out); refuses what deploy cannot apply. */
export async function readSettingsFile(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SettingsFileError(
      file,
      `cannot be read (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new SettingsFileError(
      file,
      `is not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (!isRecord(parsed)) throw new SettingsFileError(file, 'is not a JSON object');
  const variables = parsed.EnvironmentVariables ?? [];
  const references = parsed.ConnectionReferences ?? [];
  if (!Array.isArray(variables)) throw new SettingsFileError(file, 'EnvironmentVariables is not a list');
  if (!Array.isArray(references)) throw new SettingsFileError(file, 'ConnectionReferences is not a list');
  const values: Record<string, string> = {};
  variables.forEach((entry, i) => {
    if (!isRecord(entry) || typeof entry.SchemaName !== 'string' || entry.SchemaName.trim() === '')
      throw new SettingsFileError(file, `EnvironmentVariables[${i}] has no SchemaName`);
    const value = entry.Value ?? '';
    if (typeof value !== 'string')
      throw new SettingsFileError(
        file,
        `EnvironmentVariables[${i}] (${entry.SchemaName}): Value must be a string, as pac writes it`,
      );
    if (value !== '') values[entry.SchemaName.trim()] = value;
  });
  const named = references.filter(
    (r) => isRecord(r) && typeof r.ConnectionId === 'string' && r.ConnectionId !== '',
  );
  if (named.length > 0)
    throw new SettingsFileError(
      file,
      `sets ${named.length} connection reference(s), but the Ideario solutions hold none`,
    );
  return values;
}
