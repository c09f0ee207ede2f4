/**
 * The event pipeline: how code outside the engine (the webhook dispatcher, the in-process plugin
 * harness, tests) takes part in Create / Update / Delete / Associate / Disassociate the way SDK message
 * processing steps do on Dataverse ("Event framework", "Event execution pipeline").
 *
 * For every message the engine raises, in order:
 *
 *   beforeOperation  stage 10 (PreValidation)  synchronous, inside the SQLite transaction
 *   beforeOperation  stage 20 (PreOperation)   synchronous, inside the transaction
 *                    — the row is written —
 *   afterOperation   stage 40 (PostOperation)  synchronous, inside the transaction
 *                    — COMMIT —
 *   afterCommit      stage 40, mode 1 (async)  after the commit, never for a rolled-back operation
 *
 * - A synchronous handler that throws (or rejects) rolls the whole operation back, including every
 *   nested operation, and the caller gets the error: a `DataverseError` passes through unchanged,
 *   anything else becomes a `PluginExecutionError` (400, 0x80040265) carrying its message.
 * - Handlers may `await`; the engine holds its write lock meanwhile, so other writers wait and
 *   readers outside the operation keep seeing the last committed data.
 * - Stages 10/20 of Create and Update may change `event.target.attributes` (values in the typed
 *   `AttributeValue` form); the engine writes what the target holds after stage 20, as Dataverse does
 *   for plug-ins that edit the Target.
 * - Operations that a handler performs through the engine while it runs (in-process: any engine or
 *   in-process client call made from the handler's async context) join the same transaction and run
 *   with `depth + 1` and `parent` set; past depth 8 they fail with `InfiniteLoopError`, as Dataverse does.
 *   Work done later (e.g. by an async job) passes `{ depth, correlationId }` in the call context.
 * - An Update that changes statecode/statuscode (or ownerid) together with other columns runs stages
 *   20 and 40 once for the other columns and once for the state columns ("Behavior of specialized
 *   update operations"); stage 10 sees the whole request.
 * - `afterCommit` handlers must not throw: they only queue work (a system job, an HTTP post); errors
 *   are logged and swallowed so they never affect the committed operation.
 *
 * Images are full records (every column), so a dispatcher can cut them down to a step's image
 * attributes; `changedAttributes` lists the columns the request set, for filtering attributes.
 */

/** Values as the SDK types them, so a RemoteExecutionContext can be written without metadata. */
export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | {
      readonly kind: 'reference';
      readonly logicalName: string;
      readonly id: string;
      readonly name?: string | null;
    }
  | { readonly kind: 'option'; readonly value: number }
  | { readonly kind: 'money'; readonly value: number }
  | { readonly kind: 'datetime'; readonly value: string; readonly dateOnly: boolean };

export interface EntityReference {
  readonly logicalName: string;
  readonly id: string;
  readonly name?: string | null;
}

export interface EntityImage {
  readonly logicalName: string;
  readonly id: string;
  attributes: Record<string, AttributeValue>;
}

export type PipelineMessage = 'Create' | 'Update' | 'Delete' | 'Associate' | 'Disassociate';
export type Stage = 10 | 20 | 40;

export interface OperationEvent {
  readonly message: PipelineMessage;
  /** Logical name of the primary table. */
  readonly entityName: string;
  readonly id: string;
  readonly stage: Stage;
  /** 0 synchronous (stages 10/20/40 inside the transaction), 1 asynchronous (after commit). */
  readonly mode: 0 | 1;
  /** 1 for a caller's request, +1 for each operation a handler performs while handling another. */
  readonly depth: number;
  /** The user the operation runs as (MSCRMCallerID when impersonating). */
  readonly userId: string;
  readonly initiatingUserId: string;
  readonly businessUnitId: string;
  readonly organizationId: string;
  /** Shared by every operation caused by one caller request, as Dataverse's CorrelationId. */
  readonly correlationId: string;
  /** Unique per message execution (all stages of one operation share it). */
  readonly operationId: string;
  /** When the operation started, from the engine's clock. */
  readonly operationCreatedOn: Date;
  /** Create/Update: the attributes sent (mutable in stages 10/20). Delete/Associate: the record. */
  readonly target: EntityImage;
  readonly changedAttributes: readonly string[];
  /** Update/Delete: the record before the operation. */
  readonly preImage?: EntityImage;
  /** Create/Update, stage 40: the record after the operation. */
  readonly postImage?: EntityImage;
  /** Associate/Disassociate: the relationship and the related records. */
  readonly relationship?: { readonly name: string; readonly relatedEntities: readonly EntityReference[] };
  /** Shared between the stages of one operation (Dataverse's SharedVariables). */
  readonly sharedVariables: Record<string, unknown>;
  /** The operation whose handler caused this one (Dataverse's ParentContext). */
  readonly parent?: OperationEvent;
  /** The caller asked to bypass custom asynchronous logic: no async step is queued for it. */
  readonly bypassCustomAsync?: boolean;
}

export interface PipelineHandlers {
  /** Stages 10 and 20, synchronous, inside the transaction. Throw to cancel the operation. */
  beforeOperation?(event: OperationEvent): void | Promise<void>;
  /** Stage 40 synchronous, inside the transaction. Throw to roll the operation back. */
  afterOperation?(event: OperationEvent): void | Promise<void>;
  /** Stage 40 asynchronous (mode 1): called once the transaction has committed. Queue work; don't throw. */
  afterCommit?(event: OperationEvent): void | Promise<void>;
}

export class Pipeline {
  private readonly subscribers: PipelineHandlers[] = [];

  /** Adds handlers; returns the function that removes them. */
  subscribe(handlers: PipelineHandlers): () => void {
    this.subscribers.push(handlers);
    return () => {
      const index = this.subscribers.indexOf(handlers);
      if (index >= 0) this.subscribers.splice(index, 1);
    };
  }

  /** False when nobody listens: the engine then skips building images. */
  get active(): boolean {
    return this.subscribers.length > 0;
  }

  /** Runs the synchronous handlers of one stage in subscription order. */
  async runSync(event: OperationEvent): Promise<void> {
    for (const subscriber of [...this.subscribers]) {
      if (event.stage === 40) await subscriber.afterOperation?.(event);
      else await subscriber.beforeOperation?.(event);
    }
  }

  /** Delivers committed operations to the async handlers; failures are reported, never thrown. */
  async runAsync(event: OperationEvent, report: (error: unknown) => void): Promise<void> {
    for (const subscriber of [...this.subscribers]) {
      if (!subscriber.afterCommit) continue;
      try {
        await subscriber.afterCommit(event);
      } catch (error) {
        report(error);
      }
    }
  }
}
