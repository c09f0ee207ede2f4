/**
 * A row as a query with this `$select` returns it: every selected column is there, `null` when empty
 * ("Query data using the Web API"), a lookup as `_<column>_value` with its optional target annotation,
 * plus the etag and the selected columns' formatted values when asked for. A mapper that takes it
 * cannot read a column its query leaves out, and a row read with fewer columns is not one:
 *
 *   export const OFFER_SELECT = [OC.idr_offerid, OC.idr_name] as const;
 *   export type OfferRow = Selected<idr_offerRecord, typeof OFFER_SELECT>;
 *   // toOffer(row: OfferRow): reading row.idr_value fails to compile until OFFER_SELECT has it
 */
export type Selected<R, S extends readonly (keyof R & string)[]> = {
  // The value keeps `undefined`: rows put together by hand (a webhook's Target) may leave a column out.
  [K in S[number]]-?: R[K] | undefined;
} & Pick<R, Extract<'@odata.etag' | `${S[number]}@Microsoft.Dynamics.CRM.lookuplogicalname`, keyof R>> & {
    readonly [K in S[number] as `${K}@OData.Community.Display.V1.FormattedValue`]?: string;
  };
