/** Forms (`FormXml/`) and views (`SavedQueries/`) of a table. */
import type { FormModel, ViewModel } from './model';
import { type Reader } from './reader';
import {
  type XmlDocument,
  type XmlElement,
  attr,
  child,
  descendants,
  flag,
  intOf,
  labelsOf,
  lower,
  normalizeGuid,
  textOf,
} from './source-xml';

export function readForm(r: Reader, doc: XmlDocument, type: string): FormModel[] {
  const forms: FormModel[] = [];
  const systemForms =
    lower(doc.root.name) === 'systemform' ? [doc.root] : descendants(doc.root, 'systemform');
  for (const sf of systemForms) {
    const formEl = child(sf, 'form');
    const form: FormModel = {
      id: normalizeGuid(textOf(sf, 'formid')),
      type: attr(child(doc.root, 'forms') ?? doc.root, 'type') ?? type,
      name: labelsOf(child(sf, 'LocalizedNames')),
      fields: [],
      libraries: [],
      handlers: [],
      controls: [],
      file: doc.file,
    };
    for (const control of descendants(formEl, 'control')) {
      const field = attr(control, 'datafieldname');
      if (field && !form.fields.includes(lower(field))) form.fields.push(lower(field));
      if (field) r.positions.setRef(form, `field:${lower(field)}`, control.line);
    }
    for (const lib of descendants(child(formEl, 'formLibraries'), 'Library')) {
      const name = attr(lib, 'name');
      if (name && !form.libraries.includes(name)) form.libraries.push(name);
      if (name) r.positions.setRef(form, `library:${name}`, lib.line);
    }
    for (const event of descendants(child(formEl, 'events'), 'event')) {
      for (const handler of descendants(event, 'Handler')) {
        const library = attr(handler, 'libraryName') ?? '';
        const entry: FormModel['handlers'][number] = {
          event: attr(event, 'name') ?? '',
          library,
          functionName: attr(handler, 'functionName') ?? '',
        };
        const attribute = attr(event, 'attribute');
        if (attribute) entry.attribute = lower(attribute);
        form.handlers.push(entry);
        r.positions.setRef(form, `library:${library}`, handler.line);
      }
    }
    for (const cc of descendants(formEl, 'customControl')) {
      const name = attr(cc, 'name');
      if (name && !form.controls.includes(name)) form.controls.push(name);
      if (name) r.positions.setRef(form, `control:${name}`, cc.line);
    }
    r.positions.set(form, sf.line);
    forms.push(form);
  }
  return forms;
}

function readFetchColumns(r: Reader, view: ViewModel, fetch: XmlElement | undefined): void {
  const entity = child(fetch, 'entity');
  const linked: { entity: string; column: string }[] = [];
  const visit = (el: XmlElement, table: string | undefined): void => {
    for (const c of el.children) {
      const n = lower(c.name);
      if (n === 'link-entity') {
        visit(c, lower(attr(c, 'name') ?? ''));
        continue;
      }
      const column =
        n === 'attribute'
          ? attr(c, 'name')
          : n === 'order' || n === 'condition'
            ? attr(c, 'attribute')
            : undefined;
      if (column && !attr(c, 'entityname')) {
        if (table === undefined) {
          if (!view.columns.includes(lower(column))) view.columns.push(lower(column));
          r.positions.setRef(view, `column:${lower(column)}`, c.line);
        } else if (!linked.some((l) => l.entity === table && l.column === lower(column))) {
          linked.push({ entity: table, column: lower(column) });
          r.positions.setRef(view, `column:${table}.${lower(column)}`, c.line);
        }
      }
      visit(c, table);
    }
  };
  if (entity) visit(entity, undefined);
  if (linked.length > 0) view.linkedColumns = linked;
}

export function readViews(r: Reader, doc: XmlDocument): ViewModel[] {
  const views: ViewModel[] = [];
  const queries = lower(doc.root.name) === 'savedquery' ? [doc.root] : descendants(doc.root, 'savedquery');
  for (const q of queries) {
    const fetchContainer = child(q, 'fetchxml');
    const fetch = child(fetchContainer, 'fetch');
    const view: ViewModel = {
      id: normalizeGuid(textOf(q, 'savedqueryid')),
      name: labelsOf(child(q, 'LocalizedNames')),
      queryType: intOf(textOf(q, 'querytype')) ?? 0,
      isDefault: flag(textOf(q, 'isdefault')),
      fetchXml: fetch ? doc.source.slice(fetch.start, fetch.end) : (fetchContainer?.text ?? ''),
      columns: [],
      file: doc.file,
    };
    for (const cell of descendants(child(q, 'layoutxml'), 'cell')) {
      const name = attr(cell, 'name');
      // Cells of linked tables are named `alias.column`; their alias is declared in the fetch.
      if (!name || name.includes('.')) continue;
      if (!view.columns.includes(lower(name))) view.columns.push(lower(name));
      r.positions.setRef(view, `column:${lower(name)}`, cell.line);
    }
    readFetchColumns(r, view, fetch);
    r.positions.set(view, q.line);
    views.push(view);
  }
  return views;
}
