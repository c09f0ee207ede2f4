/** Picks the handlers for a parsed context and runs them; the outcome says what ran. */
import type { Logger } from '../../dataverse/logger';
import type { HandlerDeps, HandlerRegistry } from '../registry';
import { HandlerFailure } from './errors';
import type { ExecutionContext } from './parse';

export type DispatchOutcome =
  { kind: 'handled'; keys: string[] } | { kind: 'unhandled'; description: string };

/** Wraps a logger so every line of one request carries the same identifiers. */
export function withLogContext(logger: Logger, context: Record<string, unknown>): Logger {
  const merge = (data?: Record<string, unknown>) => ({ ...context, ...data });
  return {
    info: (m, d) => logger.info(m, merge(d)),
    warn: (m, d) => logger.warn(m, merge(d)),
    error: (m, d) => logger.error(m, merge(d)),
  };
}

export function describeContext(ctx: ExecutionContext): string {
  return `${ctx.messageName}.${ctx.primaryEntityName} (stage ${ctx.stage}, ${ctx.mode === 1 ? 'async' : 'sync'})`;
}

/**
 * Runs every handler registered for the context's message, entity, stage and mode (narrowed to one
 * solution when the request names one). Handlers run one after another; the first failure stops the
 * rest and propagates as a HandlerFailure, so the caller answers non-2xx and Dataverse records it.
 */
export async function dispatch(
  ctx: ExecutionContext,
  registry: HandlerRegistry,
  deps: HandlerDeps,
  solution?: string,
): Promise<DispatchOutcome> {
  const handlers = registry.find(ctx.messageName, ctx.primaryEntityName, ctx.stage, ctx.mode, solution);
  if (handlers.length === 0) {
    const description = `No handler is registered for ${describeContext(ctx)}${solution ? ` in ${solution}` : ''}`;
    deps.logger.warn(`${description}; answered 200 so Dataverse does not report a failure.`);
    return { kind: 'unhandled', description };
  }
  const keys: string[] = [];
  for (const handler of handlers) {
    const logger = withLogContext(deps.logger, { handler: handler.key, solution: handler.solution });
    try {
      await handler.handle(ctx, { ...deps, logger });
    } catch (error) {
      throw new HandlerFailure(handler.key, handler.solution, error);
    }
    keys.push(`${handler.solution}:${handler.key}`);
  }
  return { kind: 'handled', keys };
}
