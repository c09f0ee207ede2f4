/**
 * Solution XML as a small element tree with line numbers, and the helpers the readers use on it
 * (children, attributes, flags, GUIDs, localised labels).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { normalizeGuid as guidOrNull } from '../../dataverse/adapters/keys';
import { problem, type SolutionSourceError } from './errors';
import type { Labels, LanguageCode } from './model';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Direct text content, trimmed. */
  text: string;
  line: number;
  start: number;
  end: number;
}

export interface XmlDocument {
  file: string;
  source: string;
  root: XmlElement;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  captureMetaData: true,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  htmlEntities: true,
});
const META = XMLParser.getMetaDataSymbol() as unknown as string;

type RawNode = Record<string, unknown>;

function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function lineAt(starts: number[], index: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function toElements(nodes: unknown, starts: number[]): XmlElement[] {
  const out: XmlElement[] = [];
  if (!Array.isArray(nodes)) return out;
  for (const node of nodes as RawNode[]) {
    const name = Object.keys(node).find((k) => k !== ':@' && k !== '#text');
    if (!name) continue;
    const meta = (node as Record<string, unknown>)[META] as
      { startIndex?: number; endIndex?: number } | undefined;
    const start = meta?.startIndex ?? 0;
    const rawChildren = node[name] as RawNode[];
    const attrs: Record<string, string> = {};
    const rawAttrs = node[':@'] as Record<string, unknown> | undefined;
    if (rawAttrs) for (const [k, v] of Object.entries(rawAttrs)) attrs[k] = String(v);
    const text = Array.isArray(rawChildren)
      ? rawChildren
          .filter((c) => '#text' in c)
          .map((c) => String(c['#text']))
          .join('')
          .trim()
      : '';
    out.push({
      name,
      attrs,
      children: toElements(rawChildren, starts),
      text,
      line: lineAt(starts, start),
      start,
      end: meta?.endIndex ?? start,
    });
  }
  return out;
}

/** Parses XML text; returns the problem instead when the text is not well-formed XML. */
export function parseXml(source: string, file: string): XmlDocument | SolutionSourceError {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    return problem(
      'malformed-xml',
      file,
      valid.err.line,
      `malformed XML: ${valid.err.msg}`,
      'Fix the XML at this line (an unclosed or mismatched tag, an unescaped & or <).',
    );
  }
  const starts = lineStarts(text);
  const roots = toElements(parser.parse(text), starts);
  if (roots.length === 0)
    return problem(
      'malformed-xml',
      file,
      1,
      'the file holds no XML element',
      'Restore the file content or delete the file.',
    );
  return { file, source: text, root: roots[0] };
}

export const lower = (s: string): string => s.toLowerCase();

/** `record[key]` for the record's own keys only, so names like `constructor` in the source are not mistaken for entries. */
export function own<T>(record: Readonly<Record<string | number, T>>, key: string | number): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  const n = lower(name);
  return el?.children.find((c) => lower(c.name) === n);
}

export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  const n = lower(name);
  return el ? el.children.filter((c) => lower(c.name) === n) : [];
}

export function descendants(el: XmlElement | undefined, name: string, out: XmlElement[] = []): XmlElement[] {
  if (!el) return out;
  const n = lower(name);
  for (const c of el.children) {
    if (lower(c.name) === n) out.push(c);
    descendants(c, name, out);
  }
  return out;
}

export function textOf(el: XmlElement | undefined, name: string): string | undefined {
  const c = child(el, name);
  return c ? c.text : undefined;
}

export function attr(el: XmlElement | undefined, name: string): string | undefined {
  if (!el) return undefined;
  const n = lower(name);
  const key = Object.keys(el.attrs).find((k) => lower(k) === n);
  return key === undefined ? undefined : el.attrs[key];
}

export function intOf(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export function flag(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true'].includes(lower(value.trim()));
}

/**
 * GUIDs are compared without braces and case (the one `normalizeGuid`, dataverse/adapters/keys); text
 * that is no GUID is kept the same way (trimmed, braces off, lower case) so the validator can name it.
 */
export function normalizeGuid(value: string | undefined): string {
  const text = (value ?? '').trim();
  return guidOrNull(text) ?? text.replace(/^\{|\}$/g, '').toLowerCase();
}

const LANGUAGES: readonly LanguageCode[] = [1033, 3082];

/** Reads `<x description=".." languagecode="1033"/>` children (displaynames, LocalizedNames, labels…). */
export function labelsOf(container: XmlElement | undefined): Labels {
  const labels: Labels = {};
  for (const c of container?.children ?? []) {
    const code = intOf(attr(c, 'languagecode')) as LanguageCode | undefined;
    const description = attr(c, 'description');
    if (
      code !== undefined &&
      LANGUAGES.includes(code) &&
      description !== undefined &&
      labels[code] === undefined
    ) {
      labels[code] = description;
    }
  }
  return labels;
}

/** The environment variable files write `<displayname default="…"><label …/></displayname>`. */
export function labelsWithDefault(el: XmlElement | undefined): Labels {
  const labels = labelsOf(el);
  const fallback = attr(el, 'default');
  if (labels[1033] === undefined && fallback) labels[1033] = fallback;
  return labels;
}
