/**
 * The XSLT Dataverse stores behind the email template editor: a template's subject and body are each
 * a stylesheet whose `<xsl:template match="/data">` writes text (`<xsl:output method="text">`), HTML in
 * CDATA sections, and the dynamic text as `<xsl:choose><xsl:when test="contact/firstname"><xsl:value-of
 * select="contact/firstname" /></xsl:when><xsl:otherwise>Customer</xsl:otherwise></xsl:choose>`,
 * evaluated against the record's data (`/data/<table>/<column>`, a lookup's or choice's label as
 * `<column>/@name`). This reads that subset; anything else in the stylesheet is refused by name, so a
 * template the emulator cannot render says so instead of sending a half-filled email.
 */
import { attr, child, elements, parseXml, textOf, XmlSyntaxError } from '../../solution/xml';
import type { XmlElement, XmlNode } from '../../solution/xml';
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

/** Runs the stylesheet's `/data` template over the record's data and returns the text it writes. */
export function renderTemplateXslt(templateId: string, xsl: string, read: TemplateDataReader): string {
  let root: XmlElement;
  try {
    root = parseXml(xsl, `template ${templateId}`).root;
  } catch (error) {
    if (!(error instanceof XmlSyntaxError)) throw error;
    throw new UnsupportedTemplateXsltError(
      templateId,
      `a stylesheet that is not well-formed XML (${error.message})`,
    );
  }
  const main = root.name === 'xsl:stylesheet' ? child(root, 'xsl:template') : undefined;
  if (!main || !['/data', 'data', '/'].includes(attr(main, 'match') ?? ''))
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
        // XSLT drops the stylesheet's whitespace-only text between instructions, and its comments.
        if (node.kind === 'text') return node.text.trim() === '' ? '' : node.text;
        if (node.kind === 'cdata') return node.text;
        if (node.kind !== 'element') return '';
        if (node.name === 'xsl:text') return textOf(node);
        if (node.name === 'xsl:value-of') return read(path(attr(node, 'select'), '<xsl:value-of>'));
        if (node.name === 'xsl:choose') {
          for (const branch of elements(node)) {
            if (branch.name === 'xsl:otherwise') return run(branch.children);
            if (branch.name !== 'xsl:when')
              throw new UnsupportedTemplateXsltError(templateId, `<${branch.name}> in <xsl:choose>`);
            if (read(path(attr(branch, 'test'), '<xsl:when>')) !== '') return run(branch.children);
          }
          return '';
        }
        throw new UnsupportedTemplateXsltError(templateId, `<${node.name}>`);
      })
      .join('');
  return run(main.children);
}
