/** Failures of the mock-Xrm harness, each saying what the test author has to change. */

/** A test or a form script named a column the harness form does not have. */
export class UnknownColumnError extends Error {
  constructor(
    readonly table: string,
    readonly column: string,
    readonly known: readonly string[],
  ) {
    super(
      `Column '${column}' is not on the ${table} harness form. ` +
        `Use a column of the table (${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}), ` +
        `or add it to createForm({ fields }).`,
    );
    this.name = 'UnknownColumnError';
  }
}

/** The generated table constant does not say which type a column has, so no attribute can be built. */
export class ColumnTypeMissingError extends Error {
  constructor(
    readonly table: string,
    readonly column: string,
  ) {
    super(
      `The generated constant for ${table} has no column type for '${column}'. ` +
        `Regenerate dataverse/generated/ with 'npm run typegen', or pass createForm({ columnTypes: { ${column}: '…' } }).`,
    );
    this.name = 'ColumnTypeMissingError';
  }
}

/** A value given to the harness does not fit the column's type. */
export class InvalidValueError extends Error {
  constructor(
    readonly column: string,
    readonly columnType: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(`Column '${column}' (${columnType}) cannot take ${JSON.stringify(value)}: expected ${expected}.`);
    this.name = 'InvalidValueError';
  }
}

/** A form event handler threw (or its promise rejected): the user would see a script error dialog. */
export class FormScriptError extends Error {
  constructor(
    readonly event: string,
    readonly handlerName: string,
    readonly column: string | undefined,
    cause: unknown,
  ) {
    const where = column ? `${event} of ${column}` : event;
    const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`Form script handler ${handlerName} failed on ${where}: ${why}`, { cause });
    this.name = 'FormScriptError';
  }
}

/** A FormXml handler names a function the registered library does not export. */
export class HandlerNotFoundError extends Error {
  constructor(
    readonly functionName: string,
    readonly event: string,
    readonly column: string | undefined,
  ) {
    super(
      `The form names handler '${functionName}' for ${column ? `${event} of ${column}` : event}, ` +
        `but the library passed to registerHandlers() has no function at that path.`,
    );
    this.name = 'HandlerNotFoundError';
  }
}

/** The form script called Xrm.WebApi but the test gave createForm() no webApi. */
export class NoWebApiError extends Error {
  constructor(
    readonly operation: string,
    readonly entityLogicalName: string,
  ) {
    super(
      `The form script called Xrm.WebApi.${operation}('${entityLogicalName}') but createForm() was given no webApi. ` +
        `Pass createForm({ webApi }) with a DataverseClient or an Xrm.WebApi fake.`,
    );
    this.name = 'NoWebApiError';
  }
}

/** Xrm.WebApi options the harness cannot translate to a DataverseClient query. */
export class UnsupportedQueryError extends Error {
  constructor(
    readonly options: string,
    reason: string,
  ) {
    super(`Cannot run Xrm.WebApi options '${options}' against a DataverseClient: ${reason}.`);
    this.name = 'UnsupportedQueryError';
  }
}

/** A table's logical name has no known entity set, so a DataverseClient cannot be addressed. */
export class UnknownEntitySetError extends Error {
  constructor(readonly entityLogicalName: string) {
    super(
      `No entity set is known for table '${entityLogicalName}'. ` +
        `Pass createForm({ tables: [yourGeneratedTable] }) so the harness can map it.`,
    );
    this.name = 'UnknownEntitySetError';
  }
}
