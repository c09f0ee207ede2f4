/**
 * InstantiateTemplate ("InstantiateTemplate Action", Web API Action Reference: "Creates an email message
 * from a template (email template)"; unbound; parameters TemplateId Edm.Guid, ObjectType Edm.String,
 * ObjectId Edm.Guid; returns Collection(crmbaseentity): the email, not saved). The caller creates the
 * email it answers, as InstantiateTemplateRequest's CreateEmailUsingTemplate sample does.
 *
 * Placeholders: the template editor's "dynamic text" ("Personalize emails with dynamic text":
 * `Dear {!User:First Name;}`) is `{!<table>:<column>;<default>}`. The subset supported here: the table
 * and column by logical name (`{!contact:firstname;Customer}`), case-insensitive, read from the record
 * given by ObjectType/ObjectId (its formatted value for choices and lookups); `<default>` stands in
 * when the value is empty or the table is another one. Display names and the XSLT Dataverse stores
 * behind the editor are not supported.
 */
import type { ActionRequest, Engine } from './engine';
import { BadRequestError, RecordNotFoundError } from './errors';
import { annotationFilter, FORMATTED } from './records';
import { normalizeGuid } from './values';

export function registerTemplateActions(engine: Engine): void {
  engine.registerAction('InstantiateTemplate', instantiateTemplate, { transactional: false });
}

const PLACEHOLDER = /\{!([A-Za-z0-9_]+):([A-Za-z0-9_]+);([^}]*)\}/g;

/** A placeholder names a column the record's table does not have: the template needs fixing. */
export class UnknownPlaceholderColumnError extends BadRequestError {
  constructor(
    readonly templateId: string,
    readonly placeholder: string,
    readonly table: string,
  ) {
    super(
      `Template ${templateId}: the placeholder ${placeholder} names no column of ${table}. ` +
        `Use {!${table}:<column logical name>;<default text>}.`,
    );
    this.name = 'UnknownPlaceholderColumnError';
  }
}

function guid(action: string, body: Record<string, unknown>, name: string): string {
  const value = body[name];
  const id = typeof value === 'string' ? normalizeGuid(value) : undefined;
  if (!id)
    throw new BadRequestError(`${action} needs '${name}' (a GUID); got ${JSON.stringify(value ?? null)}.`);
  return id;
}

function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

async function instantiateTemplate({
  engine,
  body,
  name,
  context,
}: ActionRequest): Promise<{ value: Record<string, unknown>[] }> {
  const templateId = guid(name, body, 'TemplateId');
  const objectId = guid(name, body, 'ObjectId');
  const objectType = typeof body.ObjectType === 'string' ? body.ObjectType.toLowerCase() : '';
  const table = engine.metadata.byLogicalName(objectType);
  if (!table) {
    throw new BadRequestError(
      `${name} needs 'ObjectType', the logical name of the record's table (e.g. "contact"); got ${JSON.stringify(body.ObjectType ?? null)}.`,
    );
  }
  const templates = engine.metadata.table('template');
  const template = await engine
    .retrieve(templates.entitySetName, templateId, {
      select: ['subject', 'body', 'templatetypecode'],
      context,
    })
    .catch((error: unknown) => {
      throw error instanceof RecordNotFoundError ? new RecordNotFoundError('template', templateId) : error;
    });
  // A template is for one table; "global" templates (type systemuser) fit any record.
  const type = shown(template.templatetypecode);
  if (type && type !== table.logicalName && type !== 'systemuser') {
    throw new BadRequestError(
      `Template ${templateId} is for ${type} records, not ${table.logicalName}: pick a template of type ${table.logicalName}.`,
    );
  }
  const record = await engine.retrieve(table.entitySetName, objectId, {
    annotations: annotationFilter([FORMATTED]),
    context,
  });
  const fill = (text: string): string =>
    text.replace(PLACEHOLDER, (whole, tableName: string, column: string, fallback: string) => {
      if (tableName.toLowerCase() !== table.logicalName) return fallback;
      const key = column.toLowerCase();
      const lookupKey = `_${key}_value`;
      if (!table.columns.has(key))
        throw new UnknownPlaceholderColumnError(templateId, whole, table.logicalName);
      const value =
        record[`${key}@${FORMATTED}`] ?? record[`${lookupKey}@${FORMATTED}`] ?? record[key] ?? null;
      const text = shown(value);
      return text === '' ? fallback : text;
    });
  return {
    value: [
      {
        '@odata.type': '#Microsoft.Dynamics.CRM.email',
        subject: fill(shown(template.subject)),
        description: fill(shown(template.body)),
      },
    ],
  };
}
