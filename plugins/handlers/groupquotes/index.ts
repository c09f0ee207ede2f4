/**
 * IdearioGroupQuotes on the server: the quotation enforcement steps and the follow-up sweep job.
 * `groupQuotesFromEnvironment` is the wiring the host uses (settings from its environment, the
 * platform's fetch and timers); tests build the parts with their own settings, fetch and sleep.
 */
import type { HandlerDefinition } from '../../registry';
import type { ScheduledJob } from '../../host/jobs';
import { createEnforcementHandlers, type EnforcementOptions } from './enforcement';
import type { FetchLike } from './handoff';
import { createGuardHandlers } from './guard';
import { createFollowUpSweepJob } from './job';
import { createRoomBlockHandlers } from './roomblocks';
import { settingsFromEnvironment, sweepIntervalMs } from './settings';

export {
  createEnforcementHandlers,
  enforceOpportunity,
  ENFORCEMENT_FILTERING_ATTRIBUTES,
} from './enforcement';
export { createGuardHandlers, guardQuotation, GUARD_FILTERING_ATTRIBUTES } from './guard';
export { createFollowUpSweepJob, FOLLOWUP_SWEEP_JOB } from './job';
export { createRoomBlockHandlers, guardRoomBlock, readRoomBlocksTotal, RoomBlockRefusal } from './roomblocks';
export {
  runFollowUpSweep,
  openQuotationsFilter,
  type SweepDeps,
  type SweepResult,
  type SweepProgress,
} from './sweep';
export {
  buildHandoffDocument,
  postHandoff,
  HANDOFF_SCHEMA,
  type FetchLike,
  type HandoffDocument,
} from './handoff';
export * from './settings';
export * from './errors';

export function createGroupQuotesHandlers(options: EnforcementOptions = {}): HandlerDefinition[] {
  return [
    ...createGuardHandlers({ settings: options.settings }),
    ...createEnforcementHandlers({ followUpsOnSave: true, ...options }),
    ...createRoomBlockHandlers({ settings: options.settings }),
  ];
}

export interface GroupQuotesWiring {
  handlers: HandlerDefinition[];
  jobs: ScheduledJob[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Handlers and jobs configured from the host's environment (README.md lists the variables). */
export function groupQuotesFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  fetch: FetchLike = globalThis.fetch,
): GroupQuotesWiring {
  const settings = settingsFromEnvironment(env);
  return {
    handlers: createGroupQuotesHandlers({ settings }),
    jobs: [createFollowUpSweepJob({ settings, fetch, sleep, everyMs: sweepIntervalMs(env) })],
  };
}
