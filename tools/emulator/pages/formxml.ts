/**
 * A main form's layout read from its FormXml file (the `FormModel.file` the loader found): header,
 * tabs, sections, cells with their labels and controls, event handlers and libraries. The page
 * renders it as Unified Interface does ("Form XML schema", Power Apps docs).
 */
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import type { Labels } from '../../solution/model';

/** `classid` of a subgrid control in FormXml. */
const SUBGRID_CLASSID = '{e7a81278-8635-4d9e-8d4d-59480b391c5b}';

export interface FormSubgrid {
  readonly targetEntity: string;
  readonly viewId: string;
  readonly relationshipName: string;
  readonly recordsPerPage: number;
  /**
   * `ChartGridMode` Chart with a `VisualizationId`: the subgrid shows that chart of its rows instead of
   * the list ("Add a chart to a form", Power Apps docs: Show Chart Only).
   */
  readonly chartId?: string;
}

export interface FormCell {
  readonly id: string;
  readonly label: Labels;
  readonly showLabel: boolean;
  /** The column the control binds (`datafieldname`). */
  readonly field?: string;
  /** `disabled="true"`: locked in the form designer. */
  readonly disabled: boolean;
  /** `control id`, the name `formContext.getControl` takes. */
  readonly controlId: string;
  /** `control uniqueid`: what `controlDescription forControl` names to bind a PCF control to the cell. */
  readonly uniqueId?: string;
  readonly subgrid?: FormSubgrid;
}

/** A PCF control bound to a cell in `controlDescriptions` (the web form factor's, else the first). */
export interface FormControlBinding {
  /** The cell control's `uniqueid`, lower case without braces. */
  readonly forControl: string;
  /** `<prefix>_<namespace>.<constructor>`, e.g. `idr_Ideario.InterestProfile`. */
  readonly name: string;
  /** Manifest property name → bound column (`<phase>idr_phase</phase>`). */
  readonly parameters: Readonly<Record<string, string>>;
}

export interface FormSection {
  readonly name: string;
  readonly label: Labels;
  readonly showLabel: boolean;
  readonly cells: readonly FormCell[];
}

export interface FormTab {
  readonly name: string;
  readonly label: Labels;
  readonly sections: readonly FormSection[];
}

export interface FormHandlerXml {
  readonly event: string;
  readonly attribute?: string;
  readonly functionName: string;
  readonly library: string;
  readonly passExecutionContext: boolean;
}

export interface FormLayout {
  readonly header: readonly FormCell[];
  readonly tabs: readonly FormTab[];
  readonly handlers: readonly FormHandlerXml[];
  readonly libraries: readonly string[];
  readonly customControls: readonly FormControlBinding[];
}

type Node = Record<string, unknown>;

const ARRAYS = new Set([
  'tab',
  'column',
  'section',
  'row',
  'cell',
  'label',
  'event',
  'Handler',
  'Library',
  'systemform',
  'controlDescription',
  'customControl',
]);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => ARRAYS.has(name),
  parseTagValue: false,
  parseAttributeValue: false,
});

function node(value: unknown): Node | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Node) : undefined;
}

function nodes(value: unknown): Node[] {
  return Array.isArray(value) ? value.filter((v): v is Node => node(v) !== undefined) : [];
}

function labelsOf(parent: Node | undefined): Labels {
  const out: Labels = {};
  for (const label of nodes(node(parent?.labels)?.label)) {
    const code = Number(label.languagecode);
    if ((code === 1033 || code === 3082) && typeof label.description === 'string')
      out[code] = label.description;
  }
  return out;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

function cellsOf(rows: unknown): FormCell[] {
  return nodes(node(rows)?.row).flatMap((row) =>
    nodes(row.cell).flatMap((cell): FormCell[] => {
      const control = node(cell.control);
      if (!control) return [];
      const classid = text(control.classid).toLowerCase();
      const parameters = node(control.parameters);
      const subgrid =
        classid === SUBGRID_CLASSID && parameters
          ? {
              targetEntity: text(parameters.TargetEntityType),
              viewId: text(parameters.ViewId),
              relationshipName: text(parameters.RelationshipName),
              recordsPerPage: Number(text(parameters.RecordsPerPage)) || 10,
              ...(text(parameters.ChartGridMode).toLowerCase() === 'chart' &&
              bareGuid(text(parameters.VisualizationId))
                ? { chartId: bareGuid(text(parameters.VisualizationId)) }
                : {}),
            }
          : undefined;
      return [
        {
          id: text(cell.id),
          label: labelsOf(cell),
          showLabel: cell.showlabel !== 'false',
          field: text(control.datafieldname) || undefined,
          disabled: control.disabled === 'true',
          controlId: text(control.id),
          uniqueId: bareGuid(text(control.uniqueid)) || undefined,
          subgrid,
        },
      ];
    }),
  );
}

function bareGuid(id: string): string {
  return id.replace(/[{}]/g, '').toLowerCase();
}

/**
 * controlDescriptions: a customControl with a `name` is a PCF control, one per form factor
 * ("<customcontrol> (FormXml)": https://learn.microsoft.com/previous-versions/dynamicscrm-2016/developers-guide/mt634415(v=crm.8));
 * formFactor 0 is taken when there is one, else the first named.
 */
function customControlsOf(form: Node | undefined): FormControlBinding[] {
  return nodes(node(form?.controlDescriptions)?.controlDescription).flatMap((description) => {
    const named = nodes(description.customControl).filter((c) => text(c.name) !== '');
    const chosen = named.find((c) => text(c.formFactor) === '0') ?? named[0];
    if (!chosen) return [];
    const parameters: Record<string, string> = {};
    for (const [key, value] of Object.entries(node(chosen.parameters) ?? {}))
      if (typeof value === 'string' || typeof value === 'number') parameters[key] = text(value);
    return [{ forControl: bareGuid(text(description.forControl)), name: text(chosen.name), parameters }];
  });
}

const cache = new Map<string, FormLayout>();

/** The layout of the first `systemform` in `file`. */
export function readFormLayout(file: string): FormLayout {
  const cached = cache.get(file);
  if (cached) return cached;
  const doc = node(parser.parse(readFileSync(file, 'utf8')));
  const form = node(nodes(node(doc?.forms)?.systemform)[0]?.form);
  const tabs: FormTab[] = nodes(node(form?.tabs)?.tab).map((tab) => ({
    name: text(tab.name),
    label: labelsOf(tab),
    sections: nodes(node(tab.columns)?.column).flatMap((column) =>
      nodes(node(column.sections)?.section).map((section) => ({
        name: text(section.name),
        label: labelsOf(section),
        showLabel: section.showlabel !== 'false',
        cells: cellsOf(section.rows),
      })),
    ),
  }));
  const handlers: FormHandlerXml[] = nodes(node(form?.events)?.event).flatMap((event) =>
    nodes(node(event.Handlers)?.Handler)
      .filter((h) => h.enabled !== 'false')
      .map((h) => ({
        event: text(event.name).toLowerCase(),
        attribute: text(event.attribute) || undefined,
        functionName: text(h.functionName),
        library: text(h.libraryName),
        passExecutionContext: h.passExecutionContext === 'true',
      })),
  );
  const layout: FormLayout = {
    header: cellsOf(node(form?.header)?.rows),
    tabs,
    handlers,
    libraries: nodes(node(form?.formLibraries)?.Library).map((l) => text(l.name)),
    customControls: customControlsOf(form),
  };
  cache.set(file, layout);
  return layout;
}
