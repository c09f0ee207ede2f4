/**
 * What `npm start` records in the emulator so that `ideario doctor` finds the local environment as a
 * deploy would leave a real one: each solution of solution/ installed (unmanaged, at its source version,
 * as a developer's environment holds it), its webhook endpoints pointed at the local host with this
 * start's key, and the environment variable values the host runs with. The same rows and writes as
 * `ideario deploy` (tools/deploy/settings.ts), over the engine without HTTP.
 */
import path from 'node:path';
import type { Engine } from '../emulator/engine/engine';
import { InProcessClient } from '../emulator/inprocess-client';
import { recordSolutionComponents } from '../emulator/import/components';
import { constructorOf } from '../emulator/pages/pcf';
import {
  configureServiceEndpoint,
  setEnvironmentVariable,
  webhookEndpointUrl,
  type SettingOutcome,
} from '../deploy/settings';

export interface LocalEnvironmentSettings {
  /** The local host's base URL, e.g. `http://127.0.0.1:7071`. */
  readonly hostUrl: string;
  /** The WebhookKey the host verifies for this start. */
  readonly webhookKey: string;
  /** The host's settings: a variable with a value here is recorded with it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The PCF build (`<Constructor>/ControlManifest.xml`): the source tree holds no built manifest. */
  readonly pcfDir?: string;
}

/** Returns what was set that a user may want to know about (warnings only: tables the metadata lacks). */
export async function recordStartEnvironment(
  engine: Engine,
  settings: LocalEnvironmentSettings,
): Promise<SettingOutcome[]> {
  const client = new InProcessClient(engine);
  const outcomes: SettingOutcome[] = [];
  for (const solution of engine.metadata.model.solutions) {
    const { pcfDir } = settings;
    await recordSolutionComponents(
      engine,
      solution,
      {
        uniqueName: solution.uniqueName,
        friendlyName: solution.displayName[1033] ?? solution.uniqueName,
        version: solution.version,
        managed: false,
      },
      pcfDir === undefined
        ? undefined
        : (control) => path.join(pcfDir, constructorOf(control.name), 'ControlManifest.xml'),
    );
    const urlVariables = new Set(solution.serviceEndpoints.map((e) => e.urlVariable).filter(Boolean));
    for (const variable of solution.environmentVariables) {
      const value = urlVariables.has(variable.schemaName)
        ? settings.hostUrl
        : settings.env[variable.schemaName]?.trim();
      if (value) outcomes.push(await setEnvironmentVariable(client, variable.schemaName, value));
    }
    for (const endpoint of solution.serviceEndpoints)
      outcomes.push(
        await configureServiceEndpoint(client, endpoint, {
          url: webhookEndpointUrl(settings.hostUrl, solution.uniqueName),
          key: settings.webhookKey,
        }),
      );
  }
  return outcomes.filter((o) => o.kind === 'warning');
}
