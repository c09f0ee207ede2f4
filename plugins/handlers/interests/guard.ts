/**
 * Create/Update.idr_marketingconcept (pre-validation, synchronous): keeps the catalogue usable. A save
 * that would make more concepts active than idr_MaxActiveConcepts allows, or give a concept an exit
 * threshold above its enter threshold, is refused; the host answers 422 and the user sees why.
 *
 * Pre-validation runs before Dataverse's transaction, so two saves at the same moment can both pass
 * the count; the limit is a guard for people editing the catalogue, not a lock.
 */
import { normalizeGuid } from '../../../dataverse/adapters/keys';
import { idr_marketingconcept, type idr_marketingconceptRecord } from '../../../dataverse/generated';
import { getNumber, getOptionValue, getString, targetEntity } from '../../host/parse';
import {
  defineHandler,
  type ExecutionContext,
  type HandlerDefinition,
  type HandlerDeps,
} from '../../registry';
import { ConceptLimitRefusal, ConceptThresholdRefusal } from './errors';
import { MC, textValue } from './records';
import type { ResolvedOptions } from './settings';

const ACTIVE = idr_marketingconcept.choices.statecode.Active;

interface ConceptState {
  readonly name: string;
  readonly active: boolean;
  readonly enter: number | null;
  readonly exit: number | null;
}

async function currentState(deps: HandlerDeps, id: string): Promise<ConceptState | null> {
  const record = await deps.client.retrieve(idr_marketingconcept.entitySetName, id, [
    MC.idr_name,
    MC.idr_code,
    MC.statecode,
    MC.idr_enterthreshold,
    MC.idr_exitthreshold,
  ]);
  if (!record) return null;
  const row = record as idr_marketingconceptRecord;
  return {
    name: textValue(row.idr_name) ?? textValue(row.idr_code) ?? id,
    active: row.statecode === ACTIVE,
    enter: row.idr_enterthreshold ?? null,
    exit: row.idr_exitthreshold ?? null,
  };
}

async function countActive(deps: HandlerDeps, except: string | null): Promise<number> {
  const records = await deps.client.retrieveMultiple(idr_marketingconcept.entitySetName, {
    select: [MC.idr_marketingconceptid],
    filter: `${MC.statecode} eq ${ACTIVE}${except ? ` and ${MC.idr_marketingconceptid} ne ${except}` : ''}`,
  });
  return records.length;
}

export async function guardConcept(
  ctx: ExecutionContext,
  deps: HandlerDeps,
  options: ResolvedOptions,
): Promise<void> {
  const target = targetEntity(ctx);
  if (!target) return;
  const id = ctx.primaryEntityId ? normalizeGuid(ctx.primaryEntityId) : null;
  const isCreate = ctx.messageName === 'Create';
  const before = !isCreate && id ? await currentState(deps, id) : null;
  const name =
    getString(target, MC.idr_name) ?? getString(target, MC.idr_code) ?? before?.name ?? '(new concept)';

  const enter = target.attributes.has(MC.idr_enterthreshold)
    ? getNumber(target, MC.idr_enterthreshold)
    : (before?.enter ?? null);
  const exit = target.attributes.has(MC.idr_exitthreshold)
    ? getNumber(target, MC.idr_exitthreshold)
    : (before?.exit ?? null);
  if (enter !== null && exit !== null && exit > enter) {
    const column = target.attributes.has(MC.idr_exitthreshold) ? MC.idr_exitthreshold : MC.idr_enterthreshold;
    throw new ConceptThresholdRefusal(name, enter, exit, column);
  }

  // A Create without statecode makes an active record; an Update activates only when it sets Active.
  const state = target.attributes.has(MC.statecode) ? getOptionValue(target, MC.statecode) : null;
  const becomesActive = isCreate
    ? state === null || state === ACTIVE
    : state === ACTIVE && before?.active === false;
  if (!becomesActive) return;
  const maxActive = options.settings().maxActiveConcepts;
  const active = await countActive(deps, id);
  if (active >= maxActive) throw new ConceptLimitRefusal(name, active, maxActive, MC.statecode);
}

export function conceptGuardHandlers(options: ResolvedOptions): HandlerDefinition[] {
  const common = {
    solution: 'IdearioInterests',
    entity: idr_marketingconcept.logicalName,
    stage: 10,
    mode: 0,
  } as const;
  const handle = (ctx: ExecutionContext, deps: HandlerDeps) => guardConcept(ctx, deps, options);
  return [
    defineHandler({ ...common, message: 'Create', handle }),
    defineHandler({
      ...common,
      message: 'Update',
      filteringAttributes: [MC.statecode, MC.idr_enterthreshold, MC.idr_exitthreshold],
      handle,
    }),
  ];
}
