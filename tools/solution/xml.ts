/**
 * A small, order-preserving XML reader and writer for solution files. Solution XML must survive a
 * read/write cycle with its element order, attribute order, comments and leaf text intact, and be
 * written the way Dataverse writes it (two-space indent, `<a />`, optional BOM and CRLF), which is
 * more control than a general-purpose object mapper gives. No DTDs, no namespaces processing:
 * prefixed names (`xsi:nil`) are plain names.
 */

export interface XmlAttribute {
  name: string;
  value: string;
}

export interface XmlElement {
  kind: 'element';
  name: string;
  attributes: XmlAttribute[];
  children: XmlNode[];
  /** 1-based line of the start tag in the parsed text (absent for built elements). */
  line?: number;
}

export interface XmlText {
  kind: 'text';
  text: string;
}

export interface XmlCData {
  kind: 'cdata';
  text: string;
}

export interface XmlComment {
  kind: 'comment';
  text: string;
}

export interface XmlProcessingInstruction {
  kind: 'pi';
  target: string;
  data: string;
}

export type XmlNode = XmlElement | XmlText | XmlCData | XmlComment | XmlProcessingInstruction;
type MiscNode = XmlComment | XmlProcessingInstruction;

export interface XmlDocument {
  /** Comments and processing instructions before the root (the XML declaration is not kept). */
  prolog: MiscNode[];
  root: XmlElement;
  epilog: MiscNode[];
  /** True when the text started with a byte order mark. */
  bom: boolean;
}

/** The text is not well-formed XML; `source` and `line` say where. */
export class XmlSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly source: string,
    readonly line: number,
  ) {
    super(`${source}:${line}: ${reason}`);
    this.name = 'XmlSyntaxError';
  }
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes UTF-8 (or UTF-16 with a BOM) bytes; strings pass through. */
export function decodeXmlBytes(input: string | Uint8Array): string {
  if (typeof input === 'string') return input;
  if (input.length >= 2 && input[0] === 0xff && input[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(input);
  if (input.length >= 2 && input[0] === 0xfe && input[1] === 0xff)
    return new TextDecoder('utf-16be').decode(input);
  // ignoreBOM keeps U+FEFF in the text so parseXml can record that the file had one.
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(input);
}

class Parser {
  private pos = 0;
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  private lineAt(index: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  private fail(reason: string, at = this.pos): never {
    throw new XmlSyntaxError(reason, this.source, this.lineAt(at));
  }

  private startsWith(token: string): boolean {
    return this.text.startsWith(token, this.pos);
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private readUntil(token: string, what: string): string {
    const end = this.text.indexOf(token, this.pos);
    if (end < 0) this.fail(`unterminated ${what}`);
    const value = this.text.slice(this.pos, end);
    this.pos = end + token.length;
    return value;
  }

  private readName(): string {
    const match = /^[^\s/>=<"'!?]+/.exec(this.text.slice(this.pos, this.pos + 256));
    if (!match) this.fail('expected a name');
    this.pos += match[0].length;
    return match[0];
  }

  private decode(raw: string, at: number): string {
    return raw.replace(/&([^;&\s]*);?/g, (whole, body: string, offset: number) => {
      if (!whole.endsWith(';')) this.fail(`bare '&' in text: escape it as &amp;`, at + offset);
      if (body.startsWith('#')) {
        const code = body.startsWith('#x') ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
        if (!Number.isInteger(code) || code < 0 || code > 0x10ffff)
          this.fail(`bad character reference &${body};`, at + offset);
        return String.fromCodePoint(code);
      }
      const named = NAMED_ENTITIES[body];
      if (named === undefined) this.fail(`unknown entity &${body};`, at + offset);
      return named;
    });
  }

  private misc(): MiscNode | null {
    if (this.startsWith('<!--')) {
      this.pos += 4;
      return { kind: 'comment', text: this.readUntil('-->', 'comment') };
    }
    if (this.startsWith('<?')) {
      const at = this.pos;
      this.pos += 2;
      const target = this.readName();
      const data = this.readUntil('?>', 'processing instruction').trim();
      if (target.toLowerCase() === 'xml') {
        if (at !== 0) this.fail('the XML declaration must come first', at);
        return null;
      }
      return { kind: 'pi', target, data };
    }
    return null;
  }

  parseDocument(bom: boolean): XmlDocument {
    const prolog: MiscNode[] = [];
    const epilog: MiscNode[] = [];
    for (;;) {
      if (this.pos > 0) this.skipWhitespace();
      if (this.startsWith('<!DOCTYPE')) this.fail('DOCTYPE declarations are not supported in solution files');
      if (this.startsWith('<!--') || this.startsWith('<?')) {
        const node = this.misc();
        if (node) prolog.push(node);
        continue;
      }
      break;
    }
    this.skipWhitespace();
    if (!this.startsWith('<')) this.fail('expected the root element');
    const root = this.parseElement();
    for (;;) {
      this.skipWhitespace();
      if (this.pos >= this.text.length) break;
      const node = this.misc();
      if (!node) this.fail('content after the root element');
      epilog.push(node);
    }
    return { prolog, root, epilog, bom };
  }

  private parseElement(): XmlElement {
    const start = this.pos;
    this.pos++; // <
    const name = this.readName();
    const element: XmlElement = {
      kind: 'element',
      name,
      attributes: [],
      children: [],
      line: this.lineAt(start),
    };
    for (;;) {
      this.skipWhitespace();
      if (this.startsWith('/>')) {
        this.pos += 2;
        return element;
      }
      if (this.startsWith('>')) {
        this.pos++;
        break;
      }
      if (this.pos >= this.text.length) this.fail(`unterminated start tag <${name}>`, start);
      const attrAt = this.pos;
      const attrName = this.readName();
      this.skipWhitespace();
      if (this.text[this.pos] !== '=') this.fail(`attribute ${attrName} has no value`, attrAt);
      this.pos++;
      this.skipWhitespace();
      const quote = this.text[this.pos];
      if (quote !== '"' && quote !== "'") this.fail(`attribute ${attrName} value must be quoted`, attrAt);
      this.pos++;
      const raw = this.readUntil(quote, `value of attribute ${attrName}`);
      if (raw.includes('<')) this.fail(`'<' in the value of attribute ${attrName}`, attrAt);
      if (element.attributes.some((a) => a.name === attrName))
        this.fail(`duplicate attribute ${attrName}`, attrAt);
      // Attribute-value normalisation (XML 1.0 §3.3.3): literal tabs and newlines read as spaces.
      element.attributes.push({ name: attrName, value: this.decode(raw.replace(/[\t\n]/g, ' '), attrAt) });
    }
    for (;;) {
      if (this.pos >= this.text.length) this.fail(`element <${name}> is not closed`, start);
      if (this.startsWith('</')) {
        const endAt = this.pos;
        this.pos += 2;
        const endName = this.readName();
        this.skipWhitespace();
        if (this.text[this.pos] !== '>') this.fail(`malformed end tag </${endName}>`, endAt);
        this.pos++;
        if (endName !== name)
          this.fail(`end tag </${endName}> does not match <${name}> (line ${this.lineAt(start)})`, endAt);
        return element;
      }
      if (this.startsWith('<![CDATA[')) {
        this.pos += 9;
        element.children.push({ kind: 'cdata', text: this.readUntil(']]>', 'CDATA section') });
        continue;
      }
      if (this.startsWith('<!--') || this.startsWith('<?')) {
        const node = this.misc();
        if (!node) this.fail('misplaced XML declaration');
        element.children.push(node);
        continue;
      }
      if (this.startsWith('<!')) this.fail('unsupported markup declaration');
      if (this.startsWith('<')) {
        element.children.push(this.parseElement());
        continue;
      }
      const textAt = this.pos;
      let end = this.text.indexOf('<', this.pos);
      if (end < 0) end = this.text.length;
      const raw = this.text.slice(this.pos, end);
      this.pos = end;
      element.children.push({ kind: 'text', text: this.decode(raw, textAt) });
    }
  }
}

/** Parses XML text or bytes. `source` names the file in error messages. */
export function parseXml(input: string | Uint8Array, source = 'xml'): XmlDocument {
  let text = decodeXmlBytes(input);
  const bom = text.charCodeAt(0) === 0xfeff;
  if (bom) text = text.slice(1);
  // End-of-line handling (XML 1.0 §2.11): CRLF and lone CR read as LF.
  text = text.replace(/\r\n?/g, '\n');
  return new Parser(text, source).parseDocument(bom);
}

// ---------------------------------------------------------------------------------------------
// Building and reading elements

export type ElementContent = XmlNode | string | null | undefined | false;

/** Builds an element; string children become text, empty strings and null/false children are skipped. */
export function el(
  name: string,
  attributes: Record<string, string | number | undefined> | null = null,
  ...children: (ElementContent | ElementContent[])[]
): XmlElement {
  const attrs: XmlAttribute[] = [];
  for (const [key, value] of Object.entries(attributes ?? {})) {
    if (value !== undefined) attrs.push({ name: key, value: String(value) });
  }
  const nodes: XmlNode[] = [];
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false || child === '') continue;
    nodes.push(typeof child === 'string' ? { kind: 'text', text: child } : child);
  }
  return { kind: 'element', name, attributes: attrs, children: nodes };
}

export function elements(parent: XmlElement, name?: string): XmlElement[] {
  return parent.children.filter(
    (c): c is XmlElement => c.kind === 'element' && (name === undefined || c.name === name),
  );
}

export function child(parent: XmlElement, name: string): XmlElement | undefined {
  return parent.children.find((c): c is XmlElement => c.kind === 'element' && c.name === name);
}

/** Concatenated text and CDATA of an element's direct children. */
export function textOf(element: XmlElement | undefined): string {
  if (!element) return '';
  return element.children.map((c) => (c.kind === 'text' || c.kind === 'cdata' ? c.text : '')).join('');
}

export function childText(parent: XmlElement, name: string): string | undefined {
  const found = child(parent, name);
  return found ? textOf(found) : undefined;
}

export function attr(element: XmlElement, name: string): string | undefined {
  return element.attributes.find((a) => a.name === name)?.value;
}

export function setAttr(element: XmlElement, name: string, value: string): void {
  const existing = element.attributes.find((a) => a.name === name);
  if (existing) existing.value = value;
  else element.attributes.push({ name, value });
}

export function removeAttr(element: XmlElement, name: string): void {
  element.attributes = element.attributes.filter((a) => a.name !== name);
}

/** Replaces an element's content with one text node. */
export function setText(element: XmlElement, text: string): void {
  element.children = text === '' ? [] : [{ kind: 'text', text }];
}

/** A deep copy, so a tree taken from one document can be changed without touching the other. */
export function cloneElement(element: XmlElement): XmlElement {
  return {
    kind: 'element',
    name: element.name,
    attributes: element.attributes.map((a) => ({ ...a })),
    children: element.children.map((c) => (c.kind === 'element' ? cloneElement(c) : { ...c })),
    ...(element.line !== undefined ? { line: element.line } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface WriteOptions {
  /** Write `<?xml version="1.0" encoding="utf-8"?>` first (default true). */
  declaration?: boolean;
  /** Start with U+FEFF, as Dataverse does for the parts of a solution zip. */
  bom?: boolean;
  /** Line ending; Dataverse writes CRLF inside zips. */
  newline?: '\n' | '\r\n';
  /** End the text with a newline (default false: Dataverse does not). */
  finalNewline?: boolean;
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;')
    .replace(/\t/g, '&#x9;');
}

function startTag(element: XmlElement): string {
  const attrs = element.attributes.map((a) => ` ${a.name}="${escapeAttribute(a.value)}"`).join('');
  return `<${element.name}${attrs}`;
}

function inlineNode(node: XmlNode): string {
  switch (node.kind) {
    case 'text':
      return escapeText(node.text);
    case 'cdata':
      return `<![CDATA[${node.text}]]>`;
    case 'comment':
      return `<!--${node.text}-->`;
    case 'pi':
      return `<?${node.target}${node.data ? ' ' + node.data : ''}?>`;
    case 'element':
      return inlineElement(node);
  }
}

function inlineElement(element: XmlElement): string {
  if (element.children.length === 0) return `${startTag(element)} />`;
  return `${startTag(element)}>${element.children.map(inlineNode).join('')}</${element.name}>`;
}

/** True when the element holds markup and its text is only indentation, so it can be re-indented. */
function isStructural(element: XmlElement): boolean {
  let markup = false;
  for (const c of element.children) {
    if (c.kind === 'text') {
      if (c.text.trim() !== '') return false;
    } else if (c.kind === 'cdata') {
      return false;
    } else {
      markup = true;
    }
  }
  return markup;
}

function writeElement(element: XmlElement, depth: number, lines: string[]): void {
  const pad = '  '.repeat(depth);
  if (!isStructural(element)) {
    lines.push(pad + inlineElement(element));
    return;
  }
  lines.push(`${pad}${startTag(element)}>`);
  for (const c of element.children) {
    if (c.kind === 'element') writeElement(c, depth + 1, lines);
    else if (c.kind !== 'text') lines.push(pad + '  ' + inlineNode(c));
  }
  lines.push(`${pad}</${element.name}>`);
}

/** Writes a document or element the way Dataverse and SolutionPackager lay XML out. */
export function writeXml(input: XmlDocument | XmlElement, options: WriteOptions = {}): string {
  const doc: XmlDocument = 'kind' in input ? { prolog: [], root: input, epilog: [], bom: false } : input;
  const lines: string[] = [];
  if (options.declaration !== false) lines.push('<?xml version="1.0" encoding="utf-8"?>');
  for (const node of doc.prolog) lines.push(inlineNode(node));
  writeElement(doc.root, 0, lines);
  for (const node of doc.epilog) lines.push(inlineNode(node));
  const newline = options.newline ?? '\n';
  let text = lines.join('\n');
  if (options.finalNewline) text += '\n';
  if (newline !== '\n') text = text.replace(/\n/g, newline);
  return (options.bom ? '\uFEFF' : '') + text;
}

export function encodeUtf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

// ---------------------------------------------------------------------------------------------
// Canonical form

export interface CanonicalOptions {
  /**
   * Sort the members of component collections (entities, forms, views, option sets, relationships,
   * roles, web resources, steps, service endpoints, controls, content types). Dataverse imports
   * them by name or id, so their order carries no meaning, and packers order them differently.
   */
  ignoreComponentOrder?: boolean;
}

const UNORDERED_COLLECTIONS = new Set([
  'Entities',
  'FormXml',
  'forms',
  'SavedQueries',
  'savedqueries',
  'optionsets',
  'EntityRelationships',
  'Roles',
  'WebResources',
  'CustomControls',
  'SdkMessageProcessingSteps',
  'ServiceEndpoints',
  'Types',
]);

function canonicalElement(element: XmlElement, options: CanonicalOptions, depth: number): string[] {
  const pad = '  '.repeat(depth);
  const attrs = [...element.attributes]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((a) => ` ${a.name}="${escapeAttribute(a.value)}"`)
    .join('');
  // CDATA is text by another spelling; comments and processing instructions carry no data.
  const content: (XmlElement | string)[] = [];
  for (const c of element.children) {
    if (c.kind === 'element') content.push(c);
    else if (c.kind === 'text' || c.kind === 'cdata') {
      const last = content[content.length - 1];
      if (typeof last === 'string') content[content.length - 1] = last + c.text;
      else content.push(c.text);
    }
  }
  const hasElements = content.some((c) => typeof c !== 'string');
  const items = hasElements ? content.filter((c) => typeof c !== 'string' || c.trim() !== '') : content;
  if (items.length === 0 || (items.length === 1 && items[0] === ''))
    return [`${pad}<${element.name}${attrs}/>`];
  if (!hasElements)
    return [`${pad}<${element.name}${attrs}>${escapeText((items as string[]).join(''))}</${element.name}>`];
  let blocks = items.map((c) =>
    typeof c === 'string' ? [`${pad}  ${escapeText(c)}`] : canonicalElement(c, options, depth + 1),
  );
  if (options.ignoreComponentOrder && UNORDERED_COLLECTIONS.has(element.name)) {
    blocks = blocks
      .map((b) => ({ key: b.map((l) => l.trim()).join('\n'), b }))
      .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
      .map((x) => x.b);
  }
  return [`${pad}<${element.name}${attrs}>`, ...blocks.flat(), `${pad}</${element.name}>`];
}

/**
 * The canonical text of an XML document: no BOM, declaration, comments or processing
 * instructions; attributes sorted by name; indentation between elements ignored; `<a></a>` equal to
 * `<a/>`; CDATA read as text; one element per line so two canonical texts diff readably.
 */
export function canonicalXml(
  input: string | Uint8Array | XmlDocument,
  options: CanonicalOptions = {},
): string {
  const doc = typeof input === 'string' || input instanceof Uint8Array ? parseXml(input) : input;
  return canonicalElement(doc.root, options, 0).join('\n') + '\n';
}
