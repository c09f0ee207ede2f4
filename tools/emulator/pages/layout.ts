/**
 * A view's columns as its `layoutxml` lists them (the grid a model-driven app shows), read from the
 * view's file under solution/. Views whose file cannot be read fall back to the FetchXML's attributes.
 */
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import type { ViewModel } from '../../solution/model';
import { normalizeGuid } from '../engine/values';

export interface LayoutCell {
  /** `column`, or `alias.column` for a linked table's column. */
  readonly name: string;
  readonly width?: number;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => name === 'savedquery' || name === 'cell' || name === 'attribute',
});
const cache = new Map<string, Map<string, LayoutCell[]>>();

type Node = Record<string, unknown>;

function asNode(value: unknown): Node | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Node) : undefined;
}

function cellsOf(savedquery: Node): LayoutCell[] {
  const row = asNode(asNode(asNode(savedquery.layoutxml)?.grid)?.row);
  const cells = Array.isArray(row?.cell) ? (row.cell as unknown[]) : [];
  return cells.flatMap((cell) => {
    const node = asNode(cell);
    const name = typeof node?.name === 'string' ? node.name : undefined;
    const width = Number(node?.width);
    return name ? [{ name, width: Number.isFinite(width) ? width : undefined }] : [];
  });
}

function layoutsIn(file: string): Map<string, LayoutCell[]> {
  let layouts = cache.get(file);
  if (layouts) return layouts;
  layouts = new Map();
  try {
    const doc = asNode(parser.parse(readFileSync(file, 'utf8')));
    const visit = (node: unknown) => {
      if (Array.isArray(node)) return node.forEach(visit);
      const n = asNode(node);
      if (!n) return;
      for (const [key, value] of Object.entries(n)) {
        if (key === 'savedquery' && Array.isArray(value)) {
          for (const query of value) {
            const q = asNode(query);
            if (q && typeof q.savedqueryid === 'string')
              layouts?.set(normalizeGuid(q.savedqueryid) ?? q.savedqueryid, cellsOf(q));
          }
        } else visit(value);
      }
    };
    visit(doc);
  } catch {
    // An unreadable file (a metadata model built in memory) leaves the fallback to the FetchXML.
  }
  cache.set(file, layouts);
  return layouts;
}

function fetchAttributes(view: ViewModel): LayoutCell[] {
  const fetch = asNode(asNode(parser.parse(view.fetchXml))?.fetch);
  const entity = asNode(fetch?.entity);
  const attributes = Array.isArray(entity?.attribute) ? (entity.attribute as unknown[]) : [];
  return attributes.flatMap((a) => {
    const name = asNode(a)?.name;
    return typeof name === 'string' ? [{ name }] : [];
  });
}

export function viewLayout(view: ViewModel, primaryId: string): LayoutCell[] {
  const cells = layoutsIn(view.file).get(normalizeGuid(view.id) ?? view.id);
  if (cells && cells.length > 0) return cells;
  return fetchAttributes(view).filter((cell) => cell.name !== primaryId);
}
