/**
 * The webhook host's public surface: the runtime-independent core (for the emulator's in-process
 * harness and both runtimes), the parsed-payload types and accessors handlers use, and the errors.
 */
export {
  handleWebhook,
  solutionFromUrl,
  type WebhookDeps,
  type WebhookRequest,
  type WebhookResponse,
} from './handle';
export {
  getBoolean,
  getDate,
  getMoney,
  getNumber,
  getOptionValue,
  getReference,
  getString,
  MAX_BODY_BYTES,
  parseExecutionContext,
  parseWebhookRequest,
  SIZE_EXCEEDED_HEADER,
  targetEntity,
  type EntityCollection,
  type EntityImage,
  type EntityReference,
  type ExecutionContext,
  type Money,
  type OptionSetValue,
  type ParsedValue,
} from './parse';
export { verifyRequest, type WebhookAuthConfig } from './verify';
export { dispatch, type DispatchOutcome } from './dispatch';
export {
  defineJob,
  everyMsToNcrontab,
  runJob,
  startScheduler,
  type JobDeps,
  type ScheduledJob,
  type Scheduler,
} from './jobs';
export {
  AttributeTypeError,
  HandlerError,
  HandlerFailure,
  RetryLater,
  ValidationRefusal,
  WebhookRequestError,
} from './errors';
