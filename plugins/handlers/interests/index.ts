/**
 * The IdearioInterests handlers and jobs, one per SDK step under solution/IdearioInterests (the step
 * check in index.test.ts compares them). See README.md in this folder for what each does.
 */
import type { ScheduledJob } from '../../host/jobs';
import type { HandlerDefinition } from '../../registry';
import { withCampaignResponses } from '../campaigns/responses';
import { withTriggeredActions } from '../campaigns/triggerjob';
import { businessEventHandlers } from './business';
import { conceptGuardHandlers } from './guard';
import { pendingSweepJob } from './pending';
import { segmentRecheckJob } from './recheck';
import { ruleChangeHandlers } from './rulechange';
import { interactionCreatedHandler } from './score';
import { valueTierJob } from './valuetier';
import {
  type InterestsOptions,
  readRecheckEveryMs,
  resolveOptions,
  settingsFromEnvironment,
} from './settings';

export interface InterestsPlugins {
  readonly handlers: readonly HandlerDefinition[];
  readonly jobs: readonly ScheduledJob[];
}

export function createInterestsPlugins(options: InterestsOptions = {}): InterestsPlugins {
  const resolved = resolveOptions(options);
  return {
    handlers: [
      withCampaignResponses(withTriggeredActions(interactionCreatedHandler(resolved))),
      ...businessEventHandlers(),
      ...conceptGuardHandlers(resolved),
      ...ruleChangeHandlers(resolved),
    ],
    jobs: [segmentRecheckJob(resolved), valueTierJob(resolved), pendingSweepJob(resolved)],
  };
}

/**
 * The wiring the host uses: settings from its environment, read when first needed (the re-check
 * interval at once, since the scheduler needs it to start).
 */
export function interestsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): InterestsPlugins {
  return createInterestsPlugins({
    settings: settingsFromEnvironment(env),
    recheckEveryMs: readRecheckEveryMs(env),
  });
}

export { CatalogCache, sharedCatalogCache } from './catalog';
export {
  readInterestsSettings,
  INTERESTS_ENVIRONMENT_VARIABLES,
  type InterestsOptions,
  type InterestsSettings,
} from './settings';
export { recheckSegments, SEGMENT_RECHECK_JOB } from './recheck';
export { PENDING_SWEEP_JOB, scorePendingInteractions } from './pending';
export { scoreInteraction, type ScoringOutcome } from './score';
export { updateValueTiers, VALUE_TIER_JOB, type ValueTierSummary } from './valuetier';
