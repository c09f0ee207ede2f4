/**
 * Which webhook steps fire for a pipeline event. Rules from "Event execution pipeline" and "Register a
 * plug-in" (filtering attributes): a step fires on its message and primary table (no table: every
 * table), at its stage and mode; an Update step with filtering attributes fires only when the request
 * set one of them. Only steps whose handler is a webhook service endpoint (contract 8) are the
 * emulator's business; steps run in rank order.
 */
import type { MetadataModel, ServiceEndpointModel, StepModel } from '../../solution/model';
import type { OperationEvent } from '../engine/pipeline';

export const WEBHOOK_CONTRACT = 8;

export interface WebhookStep {
  readonly step: StepModel;
  readonly endpoint: ServiceEndpointModel;
  /** Unique name of the solution that ships the step. */
  readonly solution: string;
}

/** A step whose endpoint is missing or not a webhook: reported once, never dispatched. */
export interface IgnoredStep {
  readonly step: StepModel;
  readonly solution: string;
  readonly reason: string;
}

export interface StepCatalog {
  readonly steps: readonly WebhookStep[];
  readonly ignored: readonly IgnoredStep[];
  byId(stepId: string): WebhookStep | undefined;
}

/** Every webhook step of every solution in the metadata. */
export function webhookSteps(model: Pick<MetadataModel, 'solutions'>): StepCatalog {
  const steps: WebhookStep[] = [];
  const ignored: IgnoredStep[] = [];
  const endpoints = new Map<string, { endpoint: ServiceEndpointModel; solution: string }>();
  for (const solution of model.solutions) {
    for (const endpoint of solution.serviceEndpoints)
      endpoints.set(endpoint.id.toLowerCase(), { endpoint, solution: solution.uniqueName });
  }
  for (const solution of model.solutions) {
    for (const step of solution.steps) {
      const found = endpoints.get(step.serviceEndpointId.toLowerCase());
      if (!found) {
        ignored.push({
          step,
          solution: solution.uniqueName,
          reason: `its event handler ${step.serviceEndpointId || '(none)'} is not a service endpoint of any imported solution`,
        });
      } else if (found.endpoint.contract !== WEBHOOK_CONTRACT) {
        ignored.push({
          step,
          solution: solution.uniqueName,
          reason: `service endpoint '${found.endpoint.name}' has contract ${found.endpoint.contract}, not ${WEBHOOK_CONTRACT} (webhook)`,
        });
      } else if (!step.message) {
        ignored.push({
          step,
          solution: solution.uniqueName,
          reason: 'its SDK message is not one the emulator knows',
        });
      } else {
        steps.push({ step, endpoint: found.endpoint, solution: solution.uniqueName });
      }
    }
  }
  steps.sort((a, b) => a.step.rank - b.step.rank);
  const byId = new Map(steps.map((s) => [s.step.id.toLowerCase(), s]));
  return { steps, ignored, byId: (id) => byId.get(id.toLowerCase()) };
}

/** True when the step's filtering attributes let this event through (always, unless an Update filters). */
export function passesFilter(
  step: StepModel,
  event: Pick<OperationEvent, 'message' | 'changedAttributes'>,
): boolean {
  if (event.message !== 'Update' || step.filteringAttributes.length === 0) return true;
  const changed = new Set(event.changedAttributes.map((name) => name.toLowerCase()));
  return step.filteringAttributes.some((name) => changed.has(name.toLowerCase()));
}

/** The steps of `mode` that fire for the event at its stage. */
export function matchingSteps(catalog: StepCatalog, event: OperationEvent, mode: 0 | 1): WebhookStep[] {
  return catalog.steps.filter(
    ({ step }) =>
      step.mode === mode &&
      step.stage === event.stage &&
      step.message === event.message &&
      (step.entity === '' || step.entity === event.entityName) &&
      passesFilter(step, event),
  );
}
