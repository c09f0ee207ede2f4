/**
 * Which quotation policy applies to an opportunity: its `idr_policy`, else the row marked default
 * (`idr_isdefault eq true`), else the built-in defaults of domain/quotation. Stored rows may leave
 * columns empty; each empty one takes the default (resolvePolicy).
 */
import type { DataverseClient, EntityRecord } from '../../../dataverse/client';
import { idr_quotationpolicy } from '../../../dataverse/generated';
import type { Logger } from '../../../dataverse/logger';
import { type PolicyInput, type QuotationPolicy, resolvePolicy } from '../../../domain/quotation';
import { readNumber, readString } from './record';

const pcol = idr_quotationpolicy.columns;

const POLICY_FIELDS: Readonly<Record<keyof QuotationPolicy, string>> = {
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

const POLICY_SELECT = [pcol.idr_quotationpolicyid, pcol.idr_name, ...Object.values(POLICY_FIELDS)];

/** Throws InvalidPolicyError (naming the row) when a stored value cannot be used. */
export function policyFromRecord(record: EntityRecord): QuotationPolicy {
  const input: PolicyInput = {};
  for (const [field, column] of Object.entries(POLICY_FIELDS) as [keyof QuotationPolicy, string][]) {
    input[field] = readNumber(record, column);
  }
  return resolvePolicy(
    input,
    readString(record, pcol.idr_name) ?? readString(record, pcol.idr_quotationpolicyid) ?? undefined,
  );
}

/**
 * Loads policies once per run: a sweep over thousands of quotations reads each policy row once.
 * A quotation whose `idr_policy` points at a deleted row gets the default policy.
 */
export class PolicySource {
  private readonly byId = new Map<string, Promise<QuotationPolicy | null>>();
  private fallback: Promise<QuotationPolicy> | undefined;

  constructor(
    private readonly client: DataverseClient,
    private readonly logger: Logger,
  ) {}

  async forQuotation(policyId: string | null): Promise<QuotationPolicy> {
    if (policyId) {
      let entry = this.byId.get(policyId);
      if (!entry) {
        entry = this.client
          .retrieve(idr_quotationpolicy.entitySetName, policyId, POLICY_SELECT)
          .then((row) => (row ? policyFromRecord(row) : null));
        this.byId.set(policyId, entry);
      }
      const policy = await entry;
      if (policy) return policy;
      this.logger.warn(
        'The quotation policy an opportunity points at no longer exists; using the default policy.',
        {
          policyId,
        },
      );
    }
    this.fallback ??= this.loadDefault();
    return this.fallback;
  }

  private async loadDefault(): Promise<QuotationPolicy> {
    const rows = await this.client.retrieveMultiple(idr_quotationpolicy.entitySetName, {
      select: POLICY_SELECT,
      filter: `${pcol.idr_isdefault} eq true and ${pcol.statecode} eq ${idr_quotationpolicy.choices.statecode.Active}`,
      orderBy: [`${pcol.createdon} asc`],
      top: 2,
    });
    if (rows.length > 1) {
      this.logger.warn('More than one quotation policy is marked default; the oldest one is used.', {
        policies: rows.map((r) => readString(r, pcol.idr_name)),
      });
    }
    return rows[0] ? policyFromRecord(rows[0]) : resolvePolicy(null);
  }
}
