/**
 * The XSLT Dataverse stores behind the email template editor: a template's subject and body are each
 * a stylesheet whose `<xsl:template match="/data">` writes text (`<xsl:output method="text">`), HTML in
 * CDATA sections, and the dynamic text as `<xsl:choose><xsl:when test="contact/firstname"><xsl:value-of
 * select="contact/firstname" /></xsl:when><xsl:otherwise>Customer</xsl:otherwise></xsl:choose>`,
 * evaluated against the record's data (`/data/<table>/<column>`, a lookup's or choice's label as
 * `<column>/@name`). This reads that subset; anything else in the stylesheet is refused by name, so a
 * template the emulator cannot render says so instead of sending a half-filled email.
 */
import { XMLParser } from 'fast-xml-parser';
import { BadRequestError } from './errors';

/** The record's value for a path such as `contact/firstname` or `contact/parentcustomerid/@name`; '' when empty. */
export type TemplateDataReader = (path: string) => string;

/** The stylesheet uses XSLT the emulator does not interpret. */
export class UnsupportedTemplateXsltError extends BadRequestError {
  constructor(
    readonly templateId: string,
    readonly construct: string,
  ) {
    super(
      `Template ${templateId}: ${construct} is not supported by the emulator's InstantiateTemplate; ` +
        'it reads text, CDATA, xsl:text, xsl:value-of and xsl:choose/xsl:when/xsl:otherwise inside <xsl:template match="/data">, as the template editor writes them.',
    );
    this.name = 'UnsupportedTemplateXsltError';
  }
}

/** True when a template field is a stylesheet rather than plain text with `{!table:column;}` placeholders. */
export function isTemplateXslt(text: string): boolean {
  return /^\s*(<\?xml[^>]*\?>\s*)?<xsl:stylesheet[\s>]/.test(text);
}

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  cdataPropName: '#cdata',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
});

function tagOf(node: XmlNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@');
}

function childrenOf(node: XmlNode, tag: string): XmlNode[] {
  const value = node[tag];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

function attribute(node: XmlNode, name: string): string | undefined {
  const attrs = node[':@'] as Record<string, unknown> | undefined;
  const value = attrs?.[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

function textOf(nodes: readonly XmlNode[]): string {
  return nodes.map((n) => (typeof n['#text'] === 'string' ? n['#text'] : '')).join('');
}

/** Runs the stylesheet's `/data` template over the record's data and returns the text it writes. */
export function renderTemplateXslt(templateId: string, xsl: string, read: TemplateDataReader): string {
  let document: XmlNode[];
  try {
    document = parser.parse(xsl) as XmlNode[];
  } catch (error) {
    throw new UnsupportedTemplateXsltError(
      templateId,
      `a stylesheet that is not well-formed XML (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const stylesheet = document.find((n) => tagOf(n) === 'xsl:stylesheet');
  const templates = stylesheet ? childrenOf(stylesheet, 'xsl:stylesheet') : [];
  const main = templates.find((n) => tagOf(n) === 'xsl:template');
  if (!main || !['/data', 'data', '/'].includes(attribute(main, 'match') ?? ''))
    throw new UnsupportedTemplateXsltError(templateId, 'a stylesheet without <xsl:template match="/data">');
  const path = (expression: string | undefined, construct: string): string => {
    const trimmed = (expression ?? '').trim().replace(/^\/data\//, '');
    if (!/^[A-Za-z0-9_]+\/[A-Za-z0-9_]+(\/@name)?$/.test(trimmed))
      throw new UnsupportedTemplateXsltError(templateId, `${construct} with the path '${expression ?? ''}'`);
    return trimmed;
  };
  const run = (nodes: readonly XmlNode[]): string =>
    nodes
      .map((node) => {
        const tag = tagOf(node);
        if (tag === '#text') {
          // XSLT drops the stylesheet's whitespace-only text between instructions.
          const text = String(node['#text']);
          return text.trim() === '' ? '' : text;
        }
        if (tag === '#cdata') return textOf(childrenOf(node, '#cdata'));
        if (tag === 'xsl:text') return textOf(childrenOf(node, tag));
        if (tag === 'xsl:value-of') return read(path(attribute(node, 'select'), '<xsl:value-of>'));
        if (tag === 'xsl:choose') {
          const branches = childrenOf(node, tag).filter((n) => tagOf(n) !== '#text');
          for (const branch of branches) {
            const kind = tagOf(branch);
            if (kind === 'xsl:otherwise') return run(childrenOf(branch, kind));
            if (kind !== 'xsl:when')
              throw new UnsupportedTemplateXsltError(templateId, `<${kind ?? '?'}> in <xsl:choose>`);
            if (read(path(attribute(branch, 'test'), '<xsl:when>')) !== '')
              return run(childrenOf(branch, kind));
          }
          return '';
        }
        throw new UnsupportedTemplateXsltError(templateId, `<${tag ?? '?'}>`);
      })
      .join('');
  return run(childrenOf(main, 'xsl:template'));
}
