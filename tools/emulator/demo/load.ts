/**
 * Loads the demo plan through a DataverseClient, in `$batch` requests of a few hundred operations, so
 * every record takes the normal create path and the solutions' webhook steps fire as in production;
 * the interactions go through the bulk scorer instead, already scored, with no system job each.
 * The note written last marks the data complete; without it a load starts again, and records already
 * there (same ids, same alternate keys) answer 412 and are counted as loaded, so an interrupted load
 * resumes where it stopped.
 */
import type { BatchOperation, BatchResult, DataverseClient } from '../../../dataverse/client';
import { randomUUID } from 'node:crypto';
import { annotation, idr_interaction, idr_phasehistory, opportunity } from '../../../dataverse/generated';
import { BulkScorer, MAX_CHANGESET } from '../../../plugins/handlers/interests/bulk';
import type { Logger } from '../../../dataverse/logger';
import { silentLogger } from '../../../dataverse/logger';
import { DemoLoadError } from './errors';
import { DEMO_MARKER_ID, planDemo, type DemoSize } from './plan';
import { userName } from '../../../plugins/handlers/groupquotes/phasehistory';
import { seededRandom } from '../../../domain/random';

export const DEFAULT_DEMO_SEED = 20250115;
/** Operations per `$batch`: well under the 1000 Dataverse takes, so one slow batch stays short. */
export const DEMO_BATCH_SIZE = 250;

export interface DemoProgress {
  readonly step: string;
  readonly done: number;
  readonly total: number;
}

export interface DemoLoadOptions {
  readonly size: DemoSize;
  /** Seeds the generator; the default gives everyone the same demo. */
  readonly seed?: number;
  /** "Now" for the data: interactions fill the year before it, quotations the months around it. */
  readonly now: Date;
  readonly progress?: (progress: DemoProgress) => void;
  readonly logger?: Logger;
  readonly batchSize?: number;
}

export interface DemoFailure {
  readonly step: string;
  readonly status: number;
  readonly message: string;
}

export type DemoLoadResult =
  | { readonly loaded: false; readonly reason: 'already-loaded' }
  | {
      readonly loaded: true;
      readonly written: number;
      readonly existing: number;
      readonly failures: readonly DemoFailure[];
      readonly counts: Readonly<Record<string, number>>;
    };

/** True once a load has finished (its marker note exists). */
export async function isDemoLoaded(client: DataverseClient): Promise<boolean> {
  return (
    (await client.retrieve(annotation.entitySetName, DEMO_MARKER_ID, [annotation.columns.subject])) !== null
  );
}

function messageOf(result: BatchResult): string {
  const body = result.body as { error?: { message?: unknown } } | undefined;
  return typeof body?.error?.message === 'string' ? body.error.message : `HTTP ${result.status}`;
}

const H = idr_phasehistory.columns;

/**
 * The phase history names who saved each change: here the user the demo was loaded as, read from the
 * quotation it wrote (its createdby), as the server names the user who saved ("Full Name (id)").
 */
async function withDemoUser(
  client: DataverseClient,
  operations: readonly BatchOperation[],
): Promise<readonly BatchOperation[]> {
  const first = operations[0];
  const target = first?.kind === 'create' ? first.record[`${H.idr_opportunity}@odata.bind`] : undefined;
  const id = typeof target === 'string' ? /\(([^)]+)\)$/.exec(target)?.[1] : undefined;
  if (!id) return operations;
  const quotation = await client.retrieve(opportunity.entitySetName, id, [
    `_${opportunity.columns.createdby}_value`,
  ]);
  const userId = quotation?.[`_${opportunity.columns.createdby}_value`];
  const who = await userName(client, typeof userId === 'string' ? userId : null);
  return operations.map((op) =>
    op.kind === 'create' && op.entitySet === idr_phasehistory.entitySetName
      ? { ...op, record: { ...op.record, [H.idr_changedby]: who } }
      : op,
  );
}

/** Loads the demo data unless it is there already. Throws DemoLoadError when too much of it was refused. */
export async function loadDemoData(
  client: DataverseClient,
  options: DemoLoadOptions,
): Promise<DemoLoadResult> {
  const logger = options.logger ?? silentLogger;
  if (await isDemoLoaded(client)) return { loaded: false, reason: 'already-loaded' };
  const plan = planDemo({
    random: seededRandom(options.seed ?? DEFAULT_DEMO_SEED),
    now: options.now,
    size: options.size,
  });
  const total = plan.steps.reduce((sum, step) => sum + step.operations.length, 0);
  const batchSize = options.batchSize ?? DEMO_BATCH_SIZE;
  const failures: DemoFailure[] = [];
  let done = 0;
  let written = 0;
  let existing = 0;
  const scorer = new BulkScorer(
    { client, clock: () => options.now, logger, newId: randomUUID },
    { bypassCustomAsync: true },
  );
  for (const step of plan.steps) {
    const marker = step === plan.steps[plan.steps.length - 1];
    if (marker && failures.length > 0) break;
    const interactions = step.operations.flatMap((op) =>
      op.kind === 'create' && op.entitySet === idr_interaction.entitySetName ? [op.record] : [],
    );
    if (interactions.length > 0 && interactions.length === step.operations.length) {
      // Registered already scored (profiles, segments, lists, primary interests in the same changesets),
      // so the demo is final when the URLs are printed and no system job waits per interaction.
      for (let start = 0; start < interactions.length; start += MAX_CHANGESET) {
        const chunk = interactions.slice(start, start + MAX_CHANGESET);
        for (const outcome of await scorer.register(chunk)) {
          if (outcome.kind === 'existing') existing++;
          else if (outcome.kind === 'refused')
            failures.push({ step: step.label, status: outcome.status, message: outcome.message });
          else written++;
        }
        done += chunk.length;
        options.progress?.({ step: step.label, done, total });
      }
      continue;
    }
    const operations = step.operations.some(
      (op) => op.kind === 'create' && op.entitySet === idr_phasehistory.entitySetName,
    )
      ? await withDemoUser(client, step.operations)
      : step.operations;
    for (let start = 0; start < operations.length; start += batchSize) {
      const chunk: readonly BatchOperation[] = operations.slice(start, start + batchSize);
      const results = await client.executeBatch(chunk, { continueOnError: true });
      results.forEach((result) => {
        if (result.status < 400) written++;
        // Already written by an earlier, interrupted load: same id or same alternate key.
        else if (result.status === 412) existing++;
        else failures.push({ step: step.label, status: result.status, message: messageOf(result) });
      });
      done += chunk.length;
      options.progress?.({ step: step.label, done, total });
    }
  }
  if (failures.length > 0) {
    const byMessage = new Map<string, number>();
    for (const failure of failures)
      byMessage.set(
        `${failure.step}: ${failure.message}`,
        (byMessage.get(`${failure.step}: ${failure.message}`) ?? 0) + 1,
      );
    for (const [message, count] of byMessage)
      logger.warn('Some demo records were refused.', { count, reason: message });
    // Without the marker the next start tries again, and writes only what is still missing.
    throw new DemoLoadError(failures, total);
  }
  return { loaded: true, written, existing, failures, counts: plan.counts };
}
