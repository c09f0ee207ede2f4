/**
 * Every handler and scheduled job of both solutions, as the host runs them. Settings come from the
 * host's environment (app settings on Azure); each group's README lists its variables.
 */
import type { ScheduledJob } from '../host/jobs';
import type { HandlerDefinition } from '../registry';
import { triggerJob } from './campaigns/triggerjob';
import { groupQuotesFromEnvironment } from './groupquotes';
import { interestsFromEnvironment } from './interests';

const interests = interestsFromEnvironment(process.env);
const groupQuotes = groupQuotesFromEnvironment(process.env);

export const handlers: readonly HandlerDefinition[] = [...interests.handlers, ...groupQuotes.handlers];

export const jobs: readonly ScheduledJob[] = [...interests.jobs, ...groupQuotes.jobs, triggerJob()];
