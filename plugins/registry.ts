/**
 * Handlers keyed "Message.entity", each declaring in code the SDK message processing step that calls it.
 * The declaration is compared with the steps in solution/ so a handler never exists without its step
 * (and a step never posts to a host that has nothing to run).
 */
import type { DataverseClient } from '../dataverse/client';
import type { Logger } from '../dataverse/logger';
import type { ExecutionContext } from './host/parse';

export type { ExecutionContext, EntityImage, EntityReference, ParsedValue } from './host/parse';

/** 10 pre-validation, 20 pre-operation, 40 post-operation. */
export type StepStage = 10 | 20 | 40;
/** 0 synchronous, 1 asynchronous. */
export type StepMode = 0 | 1;
export type SolutionName = 'IdearioInterests' | 'IdearioGroupQuotes';
export const SOLUTION_NAMES: readonly SolutionName[] = ['IdearioInterests', 'IdearioGroupQuotes'];

/** What a handler may use: passed in by the host, never created by the handler. */
export interface HandlerDeps {
  client: DataverseClient;
  clock: () => Date;
  logger: Logger;
}

export interface HandlerDefinition {
  /** `Message.entity`, e.g. `Create.opportunity`. */
  readonly key: string;
  readonly message: string;
  readonly entity: string;
  readonly stage: StepStage;
  readonly mode: StepMode;
  readonly filteringAttributes?: readonly string[];
  readonly solution: SolutionName;
  handle(ctx: ExecutionContext, deps: HandlerDeps): Promise<void>;
}

/** A handler declaration is wrong in itself (bad key, sync post-operation on a message that forbids it…). */
export class HandlerDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandlerDefinitionError';
  }
}

export function handlerKey(message: string, entity: string): string {
  return `${message}.${entity}`;
}

/**
 * Declares a handler. `key` may be left out (it is derived from message and entity); when given it must
 * agree with them, so a copy-pasted key cannot silently route to the wrong code.
 */
export function defineHandler(
  definition: Omit<HandlerDefinition, 'key'> & { key?: string },
): HandlerDefinition {
  const key = handlerKey(definition.message, definition.entity);
  if (definition.key !== undefined && definition.key !== key) {
    throw new HandlerDefinitionError(
      `Handler key '${definition.key}' does not match its message and entity: expected '${key}'.`,
    );
  }
  if (!definition.message || !definition.entity) {
    throw new HandlerDefinitionError(`Handler '${key}' needs both a message and an entity.`);
  }
  if (![10, 20, 40].includes(definition.stage)) {
    throw new HandlerDefinitionError(
      `Handler '${key}' has stage ${String(definition.stage)}; use 10, 20 or 40.`,
    );
  }
  // "Event execution pipeline": asynchronous steps can only be registered on post-operation.
  if (definition.mode === 1 && definition.stage !== 40) {
    throw new HandlerDefinitionError(
      `Handler '${key}' is asynchronous at stage ${definition.stage}; asynchronous steps run only at post-operation (40).`,
    );
  }
  if (definition.filteringAttributes?.length && definition.message !== 'Update') {
    throw new HandlerDefinitionError(
      `Handler '${key}' declares filtering attributes, which only Update steps support.`,
    );
  }
  return { ...definition, key };
}

export interface HandlerRegistry {
  readonly handlers: readonly HandlerDefinition[];
  /** Handlers for one step signature, in registration order; `solution` narrows to one solution's handler. */
  find(message: string, entity: string, stage: number, mode: number, solution?: string): HandlerDefinition[];
}

function signature(h: Pick<HandlerDefinition, 'solution' | 'message' | 'entity' | 'stage' | 'mode'>): string {
  return `${h.solution}:${handlerKey(h.message, h.entity)}@${h.stage}/${h.mode}`;
}

/** Builds the lookup; two handlers for the same step of the same solution are refused. */
export function createRegistry(handlers: readonly HandlerDefinition[]): HandlerRegistry {
  const seen = new Set<string>();
  const byKey = new Map<string, HandlerDefinition[]>();
  for (const handler of handlers) {
    const sig = signature(handler);
    if (seen.has(sig)) {
      throw new HandlerDefinitionError(
        `Two handlers are registered for ${handler.key} (stage ${handler.stage}, mode ${handler.mode}) in ${handler.solution}; merge them into one.`,
      );
    }
    seen.add(sig);
    const list = byKey.get(handler.key) ?? [];
    list.push(handler);
    byKey.set(handler.key, list);
  }
  return {
    handlers: [...handlers],
    find(message, entity, stage, mode, solution) {
      return (byKey.get(handlerKey(message, entity)) ?? []).filter(
        (h) => h.stage === stage && h.mode === mode && (solution === undefined || h.solution === solution),
      );
    },
  };
}

/** The part of a step in solution/ that a handler declaration must agree with (StepModel satisfies it). */
export interface DeclaredStep {
  readonly name?: string;
  readonly message: string;
  readonly entity: string;
  readonly stage: number;
  readonly mode: number;
  readonly filteringAttributes: readonly string[];
}

/** The part of a solution the comparison reads (SolutionModel satisfies it). */
export interface SolutionSteps {
  readonly uniqueName: string;
  readonly steps: readonly DeclaredStep[];
}

export type StepMismatch =
  | { kind: 'step-without-handler'; solution: string; step: DeclaredStep; message: string }
  | { kind: 'handler-without-step'; solution: string; handler: HandlerDefinition; message: string }
  | {
      kind: 'filtering-attributes-differ';
      solution: string;
      handler: HandlerDefinition;
      step: DeclaredStep;
      message: string;
    };

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a.map((s) => s.toLowerCase()));
  const right = new Set(b.map((s) => s.toLowerCase()));
  return left.size === right.size && [...left].every((s) => right.has(s));
}

function describeStep(s: Pick<DeclaredStep, 'message' | 'entity' | 'stage' | 'mode'>): string {
  return `${handlerKey(s.message, s.entity)} (stage ${s.stage}, ${s.mode === 1 ? 'async' : 'sync'})`;
}

/**
 * Every step of every solution must have exactly one handler with the same solution, message, entity,
 * stage and mode and the same filtering attributes, and every handler a step. Returns what disagrees.
 */
export function compareStepsWithHandlers(
  solutions: readonly SolutionSteps[],
  registry: Pick<HandlerRegistry, 'handlers'>,
): StepMismatch[] {
  const mismatches: StepMismatch[] = [];
  const matched = new Set<HandlerDefinition>();
  for (const solution of solutions) {
    for (const step of solution.steps) {
      const handler = registry.handlers.find(
        (h) =>
          h.solution === solution.uniqueName &&
          h.message === step.message &&
          h.entity === step.entity &&
          h.stage === step.stage &&
          h.mode === step.mode,
      );
      if (!handler) {
        mismatches.push({
          kind: 'step-without-handler',
          solution: solution.uniqueName,
          step,
          message: `${solution.uniqueName}: step ${describeStep(step)} has no handler; add one with defineHandler() under plugins/handlers/.`,
        });
        continue;
      }
      matched.add(handler);
      const declared = handler.filteringAttributes ?? [];
      if (!sameSet(declared, step.filteringAttributes)) {
        mismatches.push({
          kind: 'filtering-attributes-differ',
          solution: solution.uniqueName,
          handler,
          step,
          message:
            `${solution.uniqueName}: ${describeStep(step)} filters on [${step.filteringAttributes.join(', ')}] in solution/, ` +
            `but its handler declares [${declared.join(', ')}].`,
        });
      }
    }
  }
  const known = new Set(solutions.map((s) => s.uniqueName));
  for (const handler of registry.handlers) {
    if (matched.has(handler)) continue;
    const where = known.has(handler.solution)
      ? `has no step in ${handler.solution}`
      : `belongs to ${handler.solution}, which is not among the solutions compared`;
    mismatches.push({
      kind: 'handler-without-step',
      solution: handler.solution,
      handler,
      message: `Handler ${describeStep(handler)} ${where}; add the step under solution/ or remove the handler.`,
    });
  }
  return mismatches;
}

/** For tests: throws one error listing every disagreement, or returns quietly. */
export function assertStepsMatchHandlers(
  solutions: readonly SolutionSteps[],
  registry: Pick<HandlerRegistry, 'handlers'>,
): void {
  const mismatches = compareStepsWithHandlers(solutions, registry);
  if (mismatches.length > 0) {
    throw new HandlerDefinitionError(
      `Steps and handlers disagree:\n${mismatches.map((m) => `- ${m.message}`).join('\n')}`,
    );
  }
}
