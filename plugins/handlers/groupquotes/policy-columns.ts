/**
 * The `idr_quotationpolicy` column of each QuotationPolicy field, and a stored row read into the input
 * resolvePolicy takes: the one mapping the follow-up sweep (policy.ts) and the QuotationTimeline
 * control use, so the form shows the dates the sweep acts on.
 */
import { idr_quotationpolicy } from '../../../dataverse/generated/idr_quotationpolicy';
import { type PolicyInput, type QuotationPolicy } from '../../../domain/quotation/policy';

const pcol = idr_quotationpolicy.columns;

export const POLICY_COLUMNS: Readonly<Record<keyof QuotationPolicy, string>> = {
  confirmationChaserDays: pcol.idr_confirmationchaserdays,
  roomingListCallDays: pcol.idr_roominglistcalldays,
  roomingListDueDays: pcol.idr_roominglistduedays,
  optionDays: pcol.idr_optiondays,
  depositDueAfterConfirmDays: pcol.idr_depositdueafterconfirmdays,
  depositReminderDays: pcol.idr_depositreminderdays,
  cutoffDays: pcol.idr_cutoffdays,
  balanceDueDays: pcol.idr_balanceduedays,
  defaultDepositPercent: pcol.idr_defaultdepositpercent,
  childPricePercent: pcol.idr_childpricepercent,
};

/** Every column a policy is read with: its id, its name (for messages) and the fields. */
export const POLICY_SELECT: readonly string[] = [
  pcol.idr_quotationpolicyid,
  pcol.idr_name,
  ...Object.values(POLICY_COLUMNS),
];

/** A stored row's values by field; an empty (or non-numeric) column reads as null, so it takes the default. */
export function policyInput(row: Readonly<Record<string, unknown>>): PolicyInput {
  const input: PolicyInput = {};
  for (const [field, column] of Object.entries(POLICY_COLUMNS) as [keyof QuotationPolicy, string][]) {
    const value = row[column];
    input[field] = typeof value === 'number' ? value : null;
  }
  return input;
}

/** The row's name for messages about it, or its id when it has none. */
export function policyName(row: Readonly<Record<string, unknown>>): string | undefined {
  const name = row[pcol.idr_name] ?? row[pcol.idr_quotationpolicyid];
  return typeof name === 'string' ? name : undefined;
}
