/**
 * Transactions and scopes: one SQLite transaction per outermost write (savepoints for nested ones),
 * serialised by a lock, and the pipeline events raised inside it with their depth and caller.
 */
import { DataverseError } from '../../../dataverse/errors';
import type { Logger } from '../../../dataverse/logger';
import type { EngineCore, Scope, TxState } from './core';
import type { CallContext, Identity } from './engine-types';
import { InfiniteLoopError, LockTimeoutError, PluginExecutionError } from './errors';
import type { EntityImage, OperationEvent, Pipeline, PipelineMessage, Stage } from './pipeline';

const MAX_DEPTH = 8;

export interface EventFields {
  message: PipelineMessage;
  table: string;
  id: string;
  stage: Stage;
  mode: 0 | 1;
  operationId: string;
  shared: Record<string, unknown>;
  target: EntityImage;
  changed: readonly string[];
  pre?: EntityImage;
  post?: EntityImage;
  relationship?: OperationEvent['relationship'];
}

/** An operation's event before its stage and mode are chosen. */
export type EventBase = Omit<EventFields, 'stage' | 'mode'>;

/** Serialises writes; waiters give up after a timeout instead of hanging forever. */
class WriteLock {
  private locked = false;
  private readonly waiters: { grant: () => void }[] = [];

  acquire(timeoutMs: number): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new LockTimeoutError(timeoutMs));
      }, timeoutMs);
      timer.unref();
      this.waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next.grant();
    else this.locked = false;
  }
}

export class Scopes {
  private readonly lock = new WriteLock();
  private readonly pendingAsync = new Set<Promise<void>>();

  constructor(
    private readonly core: EngineCore,
    private readonly pipeline: Pipeline,
    private readonly identity: Identity,
    private readonly logger: Logger,
    private readonly lockTimeoutMs: number,
  ) {}

  /** Resolves once every queued async (mode 1) delivery has run. */
  async whenIdle(): Promise<void> {
    while (this.pendingAsync.size > 0) await Promise.all([...this.pendingAsync]);
  }

  /** Runs `fn` in the open transaction (as a savepoint) or in a new one, holding the write lock. */
  async write<T>(context: CallContext | undefined, fn: (scope: Scope) => Promise<T>): Promise<T> {
    const db = this.core.storage.db;
    const current = this.core.currentScope();
    if (current) {
      const scope: Scope = context?.userId ? { ...current, userId: context.userId } : current;
      const savepoint = `sp${++current.tx.savepoints}`;
      db.exec(`SAVEPOINT ${savepoint}`);
      try {
        const result = await this.core.als.run(scope, () => fn(scope));
        db.exec(`RELEASE ${savepoint}`);
        return result;
      } catch (error) {
        db.exec(`ROLLBACK TO ${savepoint}`);
        db.exec(`RELEASE ${savepoint}`);
        throw error;
      }
    }
    const stale = this.core.als.getStore();
    await this.lock.acquire(this.lockTimeoutMs);
    const tx: TxState = { done: false, savepoints: 0, async: [], versionDirty: false };
    const scope: Scope = {
      tx,
      depth: context?.depth ?? stale?.depth ?? 1,
      userId: context?.userId ?? stale?.userId ?? this.identity.UserId,
      correlationId: context?.correlationId ?? stale?.correlationId ?? this.core.newId(),
      bypassCustomAsync: context?.bypassCustomAsync ?? stale?.bypassCustomAsync ?? false,
      parent: stale?.parent,
    };
    let result: T;
    try {
      db.exec('BEGIN IMMEDIATE');
      try {
        result = await this.core.als.run(scope, () => fn(scope));
        if (tx.versionDirty) this.core.storage.setMeta('versionnumber', String(this.core.version));
        db.exec('COMMIT');
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      tx.done = true;
      this.lock.release();
    }
    this.deliverAsync(tx.async);
    return result;
  }

  private deliverAsync(events: readonly OperationEvent[]): void {
    if (events.length === 0) return;
    const delivery = this.core.als.exit(async () => {
      for (const event of events) {
        await this.pipeline.runAsync(event, (error) =>
          this.logger.error('async pipeline handler failed', {
            message: event.message,
            entity: event.entityName,
            id: event.id,
            error: error instanceof Error ? error.message : String(error),
          }),
        );
      }
    });
    this.pendingAsync.add(delivery);
    void delivery.finally(() => this.pendingAsync.delete(delivery));
  }

  checkDepth(scope: Scope, operation: string): void {
    if (scope.depth > MAX_DEPTH) throw new InfiniteLoopError(scope.depth, operation);
  }

  event(scope: Scope, e: EventFields): OperationEvent {
    return {
      message: e.message,
      entityName: e.table,
      id: e.id,
      stage: e.stage,
      mode: e.mode,
      depth: scope.depth,
      userId: scope.userId,
      initiatingUserId: scope.userId,
      businessUnitId: this.identity.BusinessUnitId,
      organizationId: this.identity.OrganizationId,
      correlationId: scope.correlationId,
      operationId: e.operationId,
      operationCreatedOn: this.core.clock(),
      target: e.target,
      changedAttributes: e.changed,
      preImage: e.pre,
      postImage: e.post,
      relationship: e.relationship,
      sharedVariables: e.shared,
      parent: scope.parent,
      ...(scope.bypassCustomAsync ? { bypassCustomAsync: true } : {}),
    };
  }

  /** Pre-validation (10) then pre-operation (20), both synchronous ("Event execution pipeline"). */
  async raisePre(scope: Scope, base: EventBase): Promise<void> {
    await this.raise(scope, this.event(scope, { ...base, stage: 10, mode: 0 }));
    await this.raise(scope, this.event(scope, { ...base, stage: 20, mode: 0 }));
  }

  /** Post-operation (40): synchronous steps now, asynchronous ones queued as system jobs. */
  async raisePost(scope: Scope, base: EventBase): Promise<void> {
    await this.raise(scope, this.event(scope, { ...base, stage: 40, mode: 0 }));
    this.queueAsync(scope, this.event(scope, { ...base, stage: 40, mode: 1 }));
  }

  /** Runs one synchronous stage; operations its handlers perform get depth + 1. */
  async raise(scope: Scope, event: OperationEvent): Promise<void> {
    if (!this.pipeline.active) return;
    try {
      await this.core.als.run({ ...scope, depth: event.depth + 1, parent: event }, () =>
        this.pipeline.runSync(event),
      );
    } catch (error) {
      if (error instanceof DataverseError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new PluginExecutionError(
        `${reason} (stage ${event.stage} handler of ${event.message} ${event.entityName} ${event.id})`,
        error,
      );
    }
  }

  queueAsync(scope: Scope, event: OperationEvent): void {
    if (this.pipeline.active) scope.tx.async.push(event);
  }

  nextVersion(scope: Scope): number {
    scope.tx.versionDirty = true;
    return ++this.core.version;
  }
}
