/**
 * The state the engine's parts share (storage, the current metadata, the open write scope, the
 * version counter, the clock and the id source). The Engine creates one and hands it to each part.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { MetadataIndex } from './metadata';
import type { OperationEvent } from './pipeline';
import type { Storage } from './storage';
import type { FormatOptions } from './values';

/** One SQLite transaction: its savepoints, the async events it releases on commit, whether the version moved. */
export interface TxState {
  done: boolean;
  savepoints: number;
  readonly async: OperationEvent[];
  versionDirty: boolean;
}

/** Who writes inside a transaction, and at which depth of the pipeline. */
export interface Scope {
  readonly tx: TxState;
  readonly depth: number;
  readonly userId: string;
  readonly correlationId: string;
  readonly bypassCustomAsync: boolean;
  readonly parent?: OperationEvent;
}

export class EngineCore {
  /** Replaced whole when a solution import grows the metadata. */
  metadata: MetadataIndex;
  /** The organisation's last `versionnumber`; persisted when a transaction commits. */
  version: number;
  readonly als = new AsyncLocalStorage<Scope>();

  constructor(
    readonly storage: Storage,
    metadata: MetadataIndex,
    readonly clock: () => Date,
    readonly newId: () => string,
    readonly format: FormatOptions,
  ) {
    this.metadata = metadata;
    this.version = Number(storage.getMeta('versionnumber') ?? '0');
  }

  currentScope(): Scope | undefined {
    const scope = this.als.getStore();
    return scope && !scope.tx.done ? scope : undefined;
  }

  /** Reads inside a write see its uncommitted rows. */
  inWrite(): boolean {
    return this.currentScope() !== undefined;
  }
}
