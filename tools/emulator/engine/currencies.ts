import { organization } from '../../../dataverse/generated/organization';
import { UnknownCurrencyError } from './errors';
import type { MetadataIndex } from './metadata';
import type { Rows } from './rows';
import { isLookupValue, type LookupValue } from './values';

/** A transaction currency as an environment's setup writes it (`transactioncurrency` columns). */
export interface CurrencyDefinition {
  readonly isoCode: string;
  readonly name: string;
  readonly symbol: string;
  readonly precision: number;
}

/**
 * The currency an ISO 4217 code names, with its English name, symbol and decimals from the runtime's
 * CLDR data (what Dataverse's currency picker offers when an environment is created); otherwise an
 * UnknownCurrencyError.
 */
export function requireCurrency(code: string): CurrencyDefinition {
  const isoCode = code.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(isoCode) || !Intl.supportedValuesOf('currency').includes(isoCode))
    throw new UnknownCurrencyError(code);
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: isoCode });
  const symbol = format.formatToParts(0).find((part) => part.type === 'currency')?.value ?? isoCode;
  return {
    isoCode,
    name: new Intl.DisplayNames(['en'], { type: 'currency' }).of(isoCode) ?? isoCode,
    symbol,
    precision: format.resolvedOptions().maximumFractionDigits ?? 2,
  };
}

/** What a new emulator database gets when no currency is named: the demo's hotels are in Spain. */
export const DEFAULT_BASE_CURRENCY = 'EUR';

/** The base currency `ideario emulator` and `npm start` give a new database: IDEARIO_CURRENCY, else EUR. */
export function baseCurrencyFromEnv(env: Readonly<Record<string, string | undefined>>): string {
  return env.IDEARIO_CURRENCY?.trim() || DEFAULT_BASE_CURRENCY;
}

/** The organization row's base currency (Organization.BaseCurrencyId); none without that row. */
export function baseCurrencyOf(
  metadata: MetadataIndex,
  rows: Rows,
  organizationId: string,
): LookupValue | undefined {
  const orgs = metadata.byLogicalName(organization.logicalName);
  const base = orgs && rows.loadStored(orgs, organizationId)?.[organization.columns.basecurrencyid];
  return isLookupValue(base) ? base : undefined;
}
