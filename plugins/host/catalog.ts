/**
 * What the host runs in production: every handler under plugins/handlers/ and every scheduled job.
 * A new handler module is added to `handlers` here; the step check (`compareStepsWithHandlers`) then
 * fails until its step exists under solution/, and the other way round.
 */
import type { HandlerDefinition } from '../registry';
import type { ScheduledJob } from './jobs';

export const handlers: readonly HandlerDefinition[] = [];

export const jobs: readonly ScheduledJob[] = [];
