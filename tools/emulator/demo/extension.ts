/**
 * Loads the demo data once the emulator listens, through the Web API like any integration (so the
 * solutions' webhook steps fire), unless `--no-demo` or the data is there already.
 */
import { createNodeClient } from '../../../dataverse/adapters/node-client';
import type { DataverseClient } from '../../../dataverse/client';
import type { EmulatorExtension } from '../start';
import { loadCampaignDemo } from './campaign';
import { loadTriggerDemo } from './triggers';
import { DemoLoadError } from './errors';
import { DEFAULT_DEMO_SEED, loadDemoData, type DemoLoadResult } from './load';
import type { DemoSize } from './plan';
import type { ProgressReporter } from './progress';
import { retrainAll } from '../../../plugins/handlers/offers/retrain';
import type { Logger } from '../../../dataverse/logger';

/** The demo's offers get their first scores the way an administrator's would: `ideario retrain`. */
async function retrainDemoOffers(
  client: DataverseClient,
  now: Date,
  report: (line: string) => void,
  logger: Logger,
): Promise<void> {
  const summary = await retrainAll({ client, clock: () => now, logger });
  const published = summary.offers.filter((o) => o.report?.published);
  report(
    `Demo offers retrained: ${published.length} of ${summary.offers.length} published ` +
      `(${published.reduce((n, o) => n + o.scoresWritten, 0)} scores); the others keep no score: ` +
      'their model did not beat interest alone, or their history is too short.',
  );
}

export interface DemoExtensionOptions {
  readonly size: DemoSize;
  readonly seed?: number;
  readonly progress?: ProgressReporter;
  /** Told what happened: loaded, already there, or refused in part. */
  readonly report?: (line: string) => void;
  /** The client to load through; by default the Node Web API client to the emulator's own URL. */
  readonly client?: (url: string, token: string) => DataverseClient;
}

/** Bearer token the local tools send when the emulator was started without `--token`. */
export const LOCAL_TOKEN = 'ideario-local';

export function demoExtension(
  options: DemoExtensionOptions,
): EmulatorExtension & { readonly result: () => DemoLoadResult | undefined } {
  let result: DemoLoadResult | undefined;
  return {
    name: 'demo data',
    result: () => result,
    async started({ options: emulator, logger, url }) {
      if (emulator.demo === false) return;
      const token = emulator.token ?? LOCAL_TOKEN;
      const client =
        options.client?.(url, token) ??
        createNodeClient({ url, getToken: () => Promise.resolve(token), logger });
      const report = options.report ?? ((line: string) => logger.info(line));
      try {
        result = await loadDemoData(client, {
          size: options.size,
          seed: options.seed,
          now: (emulator.clock ?? (() => new Date()))(),
          logger,
          progress: (p) => options.progress?.update(p),
        });
        options.progress?.stop();
        if (result.loaded) {
          await retrainDemoOffers(client, (emulator.clock ?? (() => new Date()))(), report, logger);
          report(
            `Demo data loaded (${options.size}): ${Object.entries(result.counts)
              .filter(([k]) => k !== 'marker')
              .map(([k, n]) => `${n} ${k}`)
              .join(', ')}.`,
          );
        } else report('Demo data already loaded (start with --reset to load it again).');
        const campaignDemo = await loadCampaignDemo(client, {
          now: (emulator.clock ?? (() => new Date()))(),
          seed: options.seed ?? DEFAULT_DEMO_SEED,
          logger,
        });
        if (campaignDemo) {
          report(
            `Demo campaign "Spring newsletter": ${campaignDemo.emails} emails, ${campaignDemo.control} in the control group, ` +
              `${campaignDemo.excluded} left out, ${campaignDemo.responses} responses (ideario results ${campaignDemo.campaignId}).`,
          );
        }
        const triggers = await loadTriggerDemo(client);
        if (triggers) report(`Demo triggers: ${triggers} (Ideario Marketing → Campaigns → Triggers).`);
      } catch (error) {
        options.progress?.stop();
        // The emulator stays useful with part of the data; the message says what was refused and how to retry.
        if (error instanceof DemoLoadError) report(error.message);
        else throw error;
      }
    },
  };
}
