/**
 * What a FetchXML query can get wrong, one class per kind, worded and coded as Dataverse answers
 * ("Web service error codes": QueryBuilderNoEntity, QueryBuilderNoAttribute, AggregateQueryRecordLimit),
 * so the HTTP layer serialises them unchanged and integrators see the message they will see online.
 */
import { DataverseError } from '../../../dataverse/errors';

export const FetchXmlErrorCodes = {
  /** The FetchXML is not well-formed, breaks Fetch.xsd, or a value does not fit its column. */
  InvalidArgument: '0x80040203',
  /** The paging cookie was written for another query (different order columns). */
  PagingCookieMismatch: '0x80041129',
  QueryBuilderNoEntity: '0x80041102',
  QueryBuilderNoAttribute: '0x80041103',
  AggregateQueryRecordLimit: '0x8004e023',
  DoesNotExist: '0x80040217',
} as const;

/** Malformed XML, an element or attribute Fetch.xsd does not allow, or a combination Dataverse refuses. */
export class FetchXmlSyntaxError extends DataverseError {
  constructor(problem: string) {
    super(`The FetchXML is not valid: ${problem}`, 400, FetchXmlErrorCodes.InvalidArgument);
    this.name = 'FetchXmlSyntaxError';
  }
}

/** `<entity name>` or `<link-entity name>` names a table the organisation does not have. */
export class FetchXmlUnknownEntityError extends DataverseError {
  constructor(readonly entity: string) {
    super(
      `The entity with a name = '${entity}' with namemapping = 'Logical' was not found in the MetadataCache.`,
      400,
      FetchXmlErrorCodes.QueryBuilderNoEntity,
    );
    this.name = 'FetchXmlUnknownEntityError';
  }
}

/** An attribute, order or condition names a column the table does not have. */
export class FetchXmlUnknownAttributeError extends DataverseError {
  constructor(
    readonly entity: string,
    readonly attribute: string,
  ) {
    super(
      `'${entity}' entity doesn't contain attribute with Name = '${attribute}' and NameMapping = 'Logical' (look up attribute by name is case-sensitive).`,
      400,
      FetchXmlErrorCodes.QueryBuilderNoAttribute,
    );
    this.name = 'FetchXmlUnknownAttributeError';
  }
}

/** A condition's value does not fit the column (text for a number, a malformed GUID or date…). */
export class FetchXmlValueError extends DataverseError {
  constructor(
    readonly entity: string,
    readonly attribute: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(
      `An exception System.FormatException was thrown while trying to convert input value '${value}' to attribute '${entity}.${attribute}'. Expected type of attribute value: ${expected}.`,
      400,
      FetchXmlErrorCodes.InvalidArgument,
    );
    this.name = 'FetchXmlValueError';
  }
}

/** Valid FetchXML the emulator does not run (fiscal periods, hierarchy operators…): says so rather than guessing. */
export class FetchXmlUnsupportedError extends DataverseError {
  constructor(feature: string) {
    super(`The emulator does not support ${feature} in FetchXML.`, 400, FetchXmlErrorCodes.InvalidArgument);
    this.name = 'FetchXmlUnsupportedError';
  }
}

/** The page after the cookie's page was asked for, but the cookie names other order columns than the query. */
export class PagingCookieMismatchError extends DataverseError {
  constructor(detail: string) {
    super(
      `Paging Cookie And Query Do Not Match. (${detail} Send the cookie with the query that returned it, or leave it out to page by number.)`,
      400,
      FetchXmlErrorCodes.PagingCookieMismatch,
    );
    this.name = 'PagingCookieMismatchError';
  }
}

/** An aggregate query would read more rows than allowed (50,000, or the fetch's `aggregatelimit`). */
export class AggregateLimitError extends DataverseError {
  constructor(
    readonly rows: number,
    readonly limit: number,
  ) {
    super(
      `AggregateQueryRecordLimit exceeded. Cannot perform this operation. (The query aggregates ${rows} rows; the limit is ${limit}: add filters and combine the results.)`,
      400,
      FetchXmlErrorCodes.AggregateQueryRecordLimit,
    );
    this.name = 'AggregateLimitError';
  }
}

/** `?savedQuery=<id>` names no view of the table. */
export class SavedQueryNotFoundError extends DataverseError {
  constructor(
    readonly id: string,
    readonly entitySet: string,
  ) {
    super(
      `savedquery With Id = ${id} Does Not Exist (no view of ${entitySet} has that id).`,
      404,
      FetchXmlErrorCodes.DoesNotExist,
    );
    this.name = 'SavedQueryNotFoundError';
  }
}
