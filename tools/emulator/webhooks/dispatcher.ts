/**
 * Runs the solutions' webhook steps the way Dataverse does ("Use webhooks to create external handlers
 * for server events", "Event execution pipeline"):
 *
 * - synchronous steps (mode 0) post inside the operation's transaction at their stage; a non-2xx answer
 *   (or no answer) cancels the operation, which rolls back, and the caller gets a PluginExecutionError;
 * - asynchronous steps (mode 1) become System Jobs (`asyncoperation`, operation type 1) after commit,
 *   carrying the context built at the time of the operation; the job worker posts them;
 * - either way a 502, 503 or 504 is tried once more, nothing else is.
 *
 * Depth and correlation: the handler's own calls back into the emulator must run at the sender's
 * Depth + 1 under the same CorrelationId, so a handler that keeps updating its own trigger is stopped at
 * depth 8 ("This workflow job was canceled because the workflow that started it included an infinite
 * loop"). In process, the transport hands the handler a client bound to that context. Over HTTP the
 * emulator uses Dataverse's own mechanism: it sends `x-ms-correlation-request-id` with every webhook, and a
 * Web API request that carries that header back is run at the depth recorded for it (`callContextFor`).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../dataverse/logger';
import type { CallContext, Engine } from '../engine/engine';
import { ErrorCodes } from '../engine/errors';
import type { OperationEvent } from '../engine/pipeline';
import {
  errorCodeNumber,
  OperationType,
  type JobResult,
  type SystemJob,
  type SystemJobs,
} from '../jobs/system-jobs';
import { buildExecutionContext, type ContextOptions } from './context';
import { resolveEndpoint, type EndpointTarget, type WebhookSettings } from './config';
import {
  describeReply,
  redactUrl,
  replyDetail,
  WebhookStepFailedError,
  WebhookUnreachableError,
  type WebhookReplySummary,
} from './errors';
import { matchingSteps, webhookSteps, type StepCatalog, type WebhookStep } from './steps';
import type { CallbackContext, OutgoingWebhook, WebhookReply, WebhookTransport } from './transport';

/** Dataverse tries a webhook once more on these answers only ("Use webhooks…", Troubleshooting). */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

export const HEADERS = {
  requestId: 'x-request-id',
  correlationId: 'x-ms-correlation-request-id',
  organization: 'x-ms-dynamics-organization',
  entityName: 'x-ms-dynamics-entity-name',
  requestName: 'x-ms-dynamics-request-name',
  sizeExceeded: 'x-ms-dynamics-msg-size-exceeded',
} as const;

export interface WebhookDispatcherOptions {
  readonly engine: Engine;
  readonly jobs: SystemJobs;
  readonly transport: WebhookTransport;
  readonly settings: WebhookSettings;
  readonly logger: Logger;
  /** `OrganizationName` in the context and `x-ms-dynamics-organization`. */
  readonly organizationName?: string;
  /** Request ids (`x-request-id`); randomness is passed in. */
  readonly newId?: () => string;
}

/** How many correlation ids are remembered after their webhook answered (Dataverse keeps them for an hour). */
const REMEMBERED_CORRELATIONS = 1000;

export class WebhookDispatcher {
  private catalogCache: { model: unknown; catalog: StepCatalog } | undefined;
  private readonly warned = new Set<string>();
  private readonly callbacks = new Map<string, number>();
  private detachPipeline: (() => void) | undefined;

  constructor(private readonly options: WebhookDispatcherOptions) {}

  /** Subscribes to the engine's pipeline and lets the job worker run webhook jobs. */
  attach(): this {
    if (this.detachPipeline) return this;
    this.options.jobs.registerRunner(OperationType.SystemEvent, (job) => this.runJob(job));
    this.detachPipeline = this.options.engine.pipeline.subscribe({
      beforeOperation: (event) => this.runSync(event),
      afterOperation: (event) => this.runSync(event),
      afterCommit: (event) => this.queueAsync(event),
    });
    this.reportIgnoredSteps();
    return this;
  }

  detach(): void {
    this.detachPipeline?.();
    this.detachPipeline = undefined;
  }

  /** The steps of the metadata the engine runs now (imports add some). */
  catalog(): StepCatalog {
    const model = this.options.engine.metadata.model;
    if (this.catalogCache?.model !== model) this.catalogCache = { model, catalog: webhookSteps(model) };
    return this.catalogCache.catalog;
  }

  /**
   * The call context of a Web API request that carries a correlation id this emulator sent with a
   * webhook: the handler's calls run one level deeper than the step that called it.
   */
  callContextFor(correlationId: string | undefined): CallContext | undefined {
    if (!correlationId) return undefined;
    const key = correlationId.trim().toLowerCase();
    const depth = this.callbacks.get(key);
    return depth === undefined ? undefined : { depth, correlationId: key };
  }

  /** Logs steps that can never fire, once, so a broken registration is not silent. */
  reportIgnoredSteps(): void {
    for (const ignored of this.catalog().ignored) {
      this.warnOnce(
        `ignored:${ignored.step.id}`,
        `Step '${ignored.step.name}' of ${ignored.solution} is not dispatched: ${ignored.reason}.`,
      );
    }
  }

  private contextOptions(): ContextOptions {
    return {
      organizationName: this.organizationName,
      tableInfo: (logicalName) => {
        const table = this.options.engine.metadata.byLogicalName(logicalName);
        return table ? { primaryId: table.primaryId, primaryName: table.primaryName } : undefined;
      },
    };
  }

  private get organizationName(): string {
    return this.options.organizationName ?? 'ideario-emulator';
  }

  private target(step: WebhookStep): EndpointTarget | undefined {
    const target = resolveEndpoint(this.options.settings, step.endpoint, step.solution);
    if (!target) {
      this.warnOnce(
        `nourl:${step.endpoint.id}`,
        `Webhook steps of service endpoint '${step.endpoint.name}' (${step.solution}) are not dispatched: no webhook URL is configured. ` +
          `Pass --webhook-url (or set IDEARIO_WEBHOOK_URL) to send them to a running 'ideario host'.`,
      );
    } else if (!target.auth) {
      this.warnOnce(
        `nokey:${step.endpoint.id}`,
        `Service endpoint '${step.endpoint.name}' has no webhook key configured (--webhook-key / IDEARIO_WEBHOOK_KEY): requests go out without one.`,
      );
    }
    return target;
  }

  private async runSync(event: OperationEvent): Promise<void> {
    for (const step of matchingSteps(this.catalog(), event, 0)) {
      const target = this.target(step);
      if (!target) continue;
      const built = buildExecutionContext(event, step.step, this.contextOptions());
      const request = this.request(target, built.body, built.sizeExceeded, event);
      const callback: CallbackContext = {
        depth: event.depth + 1,
        correlationId: event.correlationId,
        userId: event.userId,
        synchronous: true,
      };
      let reply: WebhookReplySummary;
      try {
        reply = await this.deliver(request, callback, true);
      } catch (error) {
        if (!(error instanceof WebhookUnreachableError)) throw error;
        reply = { status: 0, detail: error.reason };
      }
      if (reply.status < 200 || reply.status > 299) {
        // The caller only sees the status (see WebhookStepFailedError); the developer finds the reason here.
        this.options.logger.warn('A synchronous webhook step refused the operation.', {
          step: step.step.name,
          status: reply.status,
          detail: reply.detail,
        });
        throw new WebhookStepFailedError(step.step.name, target.url, reply);
      }
    }
  }

  private async queueAsync(event: OperationEvent): Promise<void> {
    if (event.mode !== 1) return;
    // "Bypass custom Dataverse logic": CustomAsync skips asynchronous plug-in steps (no system job).
    if (event.bypassCustomAsync) return;
    for (const step of matchingSteps(this.catalog(), event, 1)) {
      if (!this.target(step)) continue;
      const built = buildExecutionContext(event, step.step, this.contextOptions());
      await this.options.jobs.enqueue({
        name: step.step.name || `${step.step.message} of ${event.entityName}`,
        operationType: OperationType.SystemEvent,
        data: built.body,
        regarding: { logicalName: event.entityName, id: event.id },
        owningExtensionId: step.step.id,
        correlationId: event.correlationId,
        depth: event.depth,
        userId: event.userId,
      });
    }
  }

  /** Posts one queued webhook; the worker records the outcome on the job. */
  private async runJob(job: SystemJob): Promise<JobResult> {
    const step = job.owningExtensionId ? this.catalog().byId(job.owningExtensionId) : undefined;
    if (!step) {
      return failed(
        `The step ${job.owningExtensionId ?? '(none)'} that queued this job is no longer registered.`,
        'The webhook step that queued this job no longer exists.',
      );
    }
    const target = this.target(step);
    if (!target)
      return failed(
        `No webhook URL is configured for service endpoint '${step.endpoint.name}'.`,
        'The webhook endpoint has no URL configured.',
      );
    const context = parseStoredContext(job.data);
    const request = this.request(target, job.data, wasTrimmed(context), {
      entityName: typeof context.PrimaryEntityName === 'string' ? context.PrimaryEntityName : '',
      message: typeof context.MessageName === 'string' ? context.MessageName : '',
      correlationId: job.correlationId ?? '',
    });
    const callback: CallbackContext = {
      depth: job.depth + 1,
      correlationId: job.correlationId ?? this.newId(),
      userId: job.userId ?? this.options.engine.whoAmI().UserId,
      synchronous: false,
    };
    let reply: WebhookReplySummary;
    try {
      // The worker retries later on 502/503/504; no immediate second attempt here.
      reply = await this.deliver(request, callback, false);
    } catch (error) {
      if (!(error instanceof WebhookUnreachableError)) throw error;
      return failed(error.message, `The webhook could not be reached: ${error.reason}.`);
    }
    if (reply.status >= 200 && reply.status <= 299) return { status: 'succeeded' };
    return {
      status: 'failed',
      message: `The webhook step '${step.step.name}' failed: ${describeReply(reply)} from ${redactUrl(target.url)}.`,
      friendlyMessage: reply.detail || `The webhook answered HTTP ${reply.status}.`,
      errorCode: errorCodeNumber(ErrorCodes.PluginAborted),
      retryable: RETRY_STATUSES.has(reply.status),
    };
  }

  private request(
    target: EndpointTarget,
    body: string,
    sizeExceeded: boolean,
    event: { readonly entityName: string; readonly message: string; readonly correlationId: string },
  ): OutgoingWebhook {
    const headers: Record<string, string> = {
      ...target.headers,
      'content-type': 'application/json',
      [HEADERS.requestId]: this.newId(),
      [HEADERS.correlationId]: event.correlationId,
      [HEADERS.organization]: this.organizationName,
      [HEADERS.entityName]: event.entityName,
      [HEADERS.requestName]: event.message,
    };
    if (sizeExceeded) headers[HEADERS.sizeExceeded] = 'true';
    return { url: target.url, headers, body, ...(target.auth ? { auth: target.auth } : {}) };
  }

  /** Sends once, and once more on 502/503/504 when `retry` (synchronous steps: the worker retries jobs). */
  private async deliver(
    request: OutgoingWebhook,
    callback: CallbackContext,
    retry: boolean,
  ): Promise<WebhookReplySummary> {
    const key = callback.correlationId.toLowerCase();
    const previous = this.callbacks.get(key);
    this.remember(key, Math.max(previous ?? 0, callback.depth));
    let reply: WebhookReply = await this.options.transport.send(request, callback);
    if (retry && RETRY_STATUSES.has(reply.status)) {
      this.options.logger.warn('Webhook answered a retryable status; trying once more, as Dataverse does.', {
        status: reply.status,
        url: redactUrl(request.url),
      });
      reply = await this.options.transport.send(
        { ...request, headers: { ...request.headers, [HEADERS.requestId]: this.newId() } },
        callback,
      );
    }
    return {
      status: reply.status,
      detail: reply.status >= 200 && reply.status <= 299 ? '' : replyDetail(reply.body),
    };
  }

  private remember(key: string, depth: number): void {
    this.callbacks.delete(key);
    this.callbacks.set(key, depth);
    while (this.callbacks.size > REMEMBERED_CORRELATIONS) {
      const oldest = this.callbacks.keys().next().value;
      if (oldest === undefined) break;
      this.callbacks.delete(oldest);
    }
  }

  private newId(): string {
    return (this.options.newId ?? randomUUID)();
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.options.logger.warn(message);
  }
}

function failed(message: string, friendlyMessage: string): JobResult {
  return { status: 'failed', message, friendlyMessage, errorCode: errorCodeNumber(ErrorCodes.PluginAborted) };
}

function parseStoredContext(data: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(data) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** A stored context without InputParameters for a message that always has a Target was cut down to 256 KB. */
function wasTrimmed(context: Record<string, unknown>): boolean {
  const input = context.InputParameters;
  return (
    Array.isArray(input) &&
    input.length === 0 &&
    typeof context.MessageName === 'string' &&
    context.MessageName !== ''
  );
}
