/**
 * InstantiateTemplate ("InstantiateTemplate Action", Web API Action Reference: "Creates an email message
 * from a template (email template)"; unbound; parameters TemplateId Edm.Guid, ObjectType Edm.String,
 * ObjectId Edm.Guid; returns Collection(crmbaseentity): the email, not saved). The caller creates the
 * email it answers, as InstantiateTemplateRequest's CreateEmailUsingTemplate sample does.
 *
 * Placeholders: the template editor's "dynamic text" ("Personalize emails with dynamic text":
 * `Dear {!User:First Name;}`) is `{!<table>:<column>;<default>}`: the table and column by logical or
 * display name (`{!contact:firstname;Customer}`, `{!Contact:First Name;Customer}`), case-insensitive,
 * read from the record given by ObjectType/ObjectId (its formatted value for choices and lookups);
 * `<default>` stands in when the value is empty or the table is another one. A subject or body that is
 * the XSLT Dataverse stores behind the editor is run by `template-xslt.ts`.
 */
import type { ActionRequest, Engine } from './engine';
import { BadRequestError, RecordNotFoundError } from './errors';
import { annotationFilter, FORMATTED } from './records';
import { isTemplateXslt, renderTemplateXslt } from './template-xslt';
import { normalizeGuid } from './values';

export function registerTemplateActions(engine: Engine): void {
  engine.registerAction('InstantiateTemplate', instantiateTemplate, { transactional: false });
}

const PLACEHOLDER = /\{!([^:;{}]+):([^:;{}]+);([^}]*)\}/g;

/** A name as typed in a placeholder matches a logical name or a display name in any language. */
function names(
  logicalName: string,
  labels: Readonly<Record<number, string | undefined>>,
  typed: string,
): boolean {
  const wanted = typed.trim().toLowerCase();
  return wanted === logicalName || Object.values(labels).some((l) => l?.trim().toLowerCase() === wanted);
}

/** A placeholder names a column the record's table does not have: the template needs fixing. */
export class UnknownPlaceholderColumnError extends BadRequestError {
  constructor(
    readonly templateId: string,
    readonly placeholder: string,
    readonly table: string,
  ) {
    super(
      `Template ${templateId}: the placeholder ${placeholder} names no column of ${table}. ` +
        (placeholder.startsWith('{!')
          ? `Use {!${table}:<column name>;<default text>}.`
          : `Use ${table}/<column logical name> (or …/@name for a label).`),
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
  const formatted = (key: string): string =>
    shown(record[`${key}@${FORMATTED}`] ?? record[`_${key}_value@${FORMATTED}`] ?? record[key] ?? null);
  const fill = (text: string): string =>
    text.replace(PLACEHOLDER, (whole, tableName: string, column: string, fallback: string) => {
      if (!names(table.logicalName, table.model.displayName, tableName)) return fallback;
      const key = [...table.columns.values()].find((c) =>
        names(c.logicalName, c.model.displayName, column),
      )?.logicalName;
      if (!key) throw new UnknownPlaceholderColumnError(templateId, whole, table.logicalName);
      const value = formatted(key);
      return value === '' ? fallback : value;
    });
  // The stylesheet's paths: `<table>/<column>` is the stored value (a lookup's id), `/@name` its label.
  const read = (path: string): string => {
    const [tableName = '', column = '', label] = path.toLowerCase().split('/');
    if (tableName !== table.logicalName) return '';
    const info = table.columns.get(column);
    if (!info) throw new UnknownPlaceholderColumnError(templateId, path, table.logicalName);
    if (label) return formatted(column);
    return shown(info.targets.length > 0 ? record[`_${column}_value`] : record[column]);
  };
  const render = (text: string): string =>
    isTemplateXslt(text) ? renderTemplateXslt(templateId, text, read) : fill(text);
  return {
    value: [
      {
        '@odata.type': '#Microsoft.Dynamics.CRM.email',
        subject: render(shown(template.subject)),
        description: render(shown(template.body)),
      },
    ],
  };
}
