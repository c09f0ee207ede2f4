/**
 * Create/Update/Delete.idr_interactionrule (post-operation, asynchronous): the rule cache of this host
 * is refreshed, and a saved rule that the engine cannot use (a match expression that does not parse,
 * points or a daily cap out of range) is deactivated, with the reason in the log.
 *
 * Why deactivate: the step is asynchronous (the save already happened), the rule table has no column
 * for an error, and an active rule that never applies would look like it works. An inactive rule is
 * visible in the "Active rules" view the marketing manager works from; fixing and reactivating it runs
 * this check again. Scoring never depends on it: invalid rules are also left out when the rules are
 * compiled (`compileRules(…, { skipInvalid: true })`), so other rules keep scoring meanwhile.
 */
import { normalizeGuid } from '../../../dataverse/adapters/keys';
import { idr_interactionrule, type idr_interactionruleWrite } from '../../../dataverse/generated';
import { InterestError, validateRule } from '../../../domain/interest';
import {
  defineHandler,
  type ExecutionContext,
  type HandlerDefinition,
  type HandlerDeps,
} from '../../registry';
import { RULE_SELECT, type RuleRow, toRule } from './records';
import type { ResolvedOptions } from './settings';

const STATE = idr_interactionrule.choices.statecode;
const STATUS = idr_interactionrule.choices.statuscode;

export type RuleCheck = 'removed' | 'inactive' | 'valid' | 'deactivated';

export async function onRuleChanged(
  ctx: ExecutionContext,
  deps: HandlerDeps,
  options: ResolvedOptions,
): Promise<RuleCheck> {
  options.cache.invalidate(ctx.organizationId ?? ctx.organizationName ?? 'default');
  const id = ctx.primaryEntityId ? normalizeGuid(ctx.primaryEntityId) : null;
  if (ctx.messageName === 'Delete' || !id) return 'removed';
  const record = (await deps.client.retrieve(
    idr_interactionrule.entitySetName,
    id,
    RULE_SELECT,
  )) as RuleRow | null;
  if (!record) return 'removed';
  if (record.statecode !== STATE.Active) return 'inactive';
  const rule = toRule(record);
  try {
    validateRule(rule);
    return 'valid';
  } catch (error) {
    if (!(error instanceof InterestError)) throw error;
    await deps.client.update(idr_interactionrule.entitySetName, id, {
      statecode: STATE.Inactive,
      statuscode: STATUS.Inactive,
    } satisfies idr_interactionruleWrite);
    deps.logger.error(
      'Interaction rule deactivated: the scoring engine cannot use it. Fix it and activate it again.',
      {
        rule: id,
        name: rule.name,
        error: error.message,
      },
    );
    return 'deactivated';
  }
}

export function ruleChangeHandlers(options: ResolvedOptions): HandlerDefinition[] {
  const common = {
    solution: 'IdearioInterests',
    entity: idr_interactionrule.logicalName,
    stage: 40,
    mode: 1,
  } as const;
  const handle = async (ctx: ExecutionContext, deps: HandlerDeps) => {
    await onRuleChanged(ctx, deps, options);
  };
  return [
    defineHandler({ ...common, message: 'Create', handle }),
    defineHandler({ ...common, message: 'Update', handle }),
    defineHandler({ ...common, message: 'Delete', handle }),
  ];
}
