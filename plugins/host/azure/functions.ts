/**
 * The Azure Functions v4 runtime: an HTTP function for the webhook and one timer function per job, each a
 * thin adapter over the same core as the Node server. The handler functions are exported so tests call
 * them with the library's own HttpRequest and InvocationContext, without the Functions host.
 */
import type { app, HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import type { Logger } from '../../../dataverse/logger';
import { handleWebhook, type WebhookDeps } from '../handle';
import { everyMsToNcrontab, runJob, type ScheduledJob } from '../jobs';

/** Deps are built on the first invocation and reused while the worker lives (token cache, connections). */
export type DepsProvider = () => Promise<WebhookDeps>;

export function memoizeDeps(create: () => WebhookDeps | Promise<WebhookDeps>): DepsProvider {
  let deps: Promise<WebhookDeps> | undefined;
  return () => {
    deps ??= Promise.resolve()
      .then(create)
      .catch((error: unknown) => {
        // Let the next invocation try again (say, after the admin fixes an app setting).
        deps = undefined;
        throw error;
      });
    return deps;
  };
}

/** Routes log lines to the invocation, so they reach Application Insights under its invocation id. */
export function invocationLogger(context: InvocationContext): Logger {
  const format = (message: string, data?: Record<string, unknown>) =>
    data === undefined ? [message] : [message, JSON.stringify(data)];
  return {
    info: (m, d) => context.info(...format(m, d)),
    warn: (m, d) => context.warn(...format(m, d)),
    error: (m, d) => context.error(...format(m, d)),
  };
}

function pathAndQuery(url: string): string {
  const parsed = new URL(url, 'http://function.invalid');
  return `${parsed.pathname}${parsed.search}`;
}

export function createWebhookFunction(getDeps: DepsProvider) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const deps = await getDeps();
    const headers: Record<string, string | undefined> = {};
    request.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    const body = Buffer.from(await request.arrayBuffer());
    const response = await handleWebhook(
      { method: request.method, url: pathAndQuery(request.url), headers, body },
      { ...deps, logger: invocationLogger(context) },
    );
    return { status: response.status, headers: response.headers, body: response.body };
  };
}

export function createHealthFunction(getDeps: DepsProvider) {
  return async (_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
    const deps = await getDeps();
    return { status: 200, jsonBody: { status: 'ok', handlers: deps.handlers.handlers.length } };
  };
}

/**
 * Azure runs one invocation of a timer function at a time across all instances ("Timer trigger for Azure
 * Functions": singleton lock), which gives the same no-overlap rule as the Node scheduler. A failed run
 * is rethrown so the invocation is recorded as failed.
 */
export function createTimerFunction(job: ScheduledJob, getDeps: DepsProvider) {
  return async (_timer: Timer, context: InvocationContext): Promise<void> => {
    const deps = await getDeps();
    const result = await runJob(job, {
      client: deps.client,
      clock: deps.clock,
      logger: invocationLogger(context),
    });
    if (!result.ok) throw result.error;
  };
}

export type FunctionsApp = Pick<typeof app, 'http' | 'timer'>;

/**
 * Registers the functions. Routes get the host's `api/` prefix: `POST /api/webhook[/<solution>]` and
 * `GET /api/health`. authLevel is anonymous because the host verifies the Dataverse secret itself, the
 * same way on every runtime (WebhookKey's `?code=` is read by verify.ts, not by the Functions host).
 */
export function registerFunctions(
  target: FunctionsApp,
  jobs: readonly ScheduledJob[],
  getDeps: DepsProvider,
): void {
  target.http('webhook', {
    methods: ['POST'],
    authLevel: 'anonymous',
    route: 'webhook/{solution?}',
    handler: createWebhookFunction(getDeps),
  });
  target.http('health', {
    methods: ['GET'],
    authLevel: 'anonymous',
    route: 'health',
    handler: createHealthFunction(getDeps),
  });
  for (const job of jobs) {
    target.timer(job.name, {
      schedule: job.schedule ?? everyMsToNcrontab(job.everyMs, job.name),
      handler: createTimerFunction(job, getDeps),
    });
  }
}
