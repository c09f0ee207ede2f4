/**
 * Which quotation policy applies to an opportunity: its `idr_policy`, else the row marked default
 * (`idr_isdefault eq true`), else the built-in defaults of domain/quotation. Stored rows may leave
 * columns empty; each empty one takes the default (resolvePolicy).
 */
import type { DataverseClient, EntityRecord } from '../../../dataverse/client';
import { idr_quotationpolicy, type idr_quotationpolicyRecord } from '../../../dataverse/generated';
import type { Logger } from '../../../dataverse/logger';
import { type QuotationPolicy, resolvePolicy } from '../../../domain/quotation';
import { POLICY_SELECT, policyInput, policyName } from './policy-columns';
import { textValue } from './record';

const pcol = idr_quotationpolicy.columns;

/** Throws InvalidPolicyError (naming the row) when a stored value cannot be used. */
export function policyFromRecord(record: EntityRecord): QuotationPolicy {
  return resolvePolicy(policyInput(record), policyName(record));
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
          .retrieve(idr_quotationpolicy.entitySetName, policyId, [...POLICY_SELECT])
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
      select: [...POLICY_SELECT],
      filter: `${pcol.idr_isdefault} eq true and ${pcol.statecode} eq ${idr_quotationpolicy.choices.statecode.Active}`,
      orderBy: [`${pcol.createdon} asc`],
      top: 2,
    });
    if (rows.length > 1) {
      this.logger.warn('More than one quotation policy is marked default; the oldest one is used.', {
        policies: (rows as idr_quotationpolicyRecord[]).map((r) => textValue(r.idr_name)),
      });
    }
    return rows[0] ? policyFromRecord(rows[0]) : resolvePolicy(null);
  }
}
