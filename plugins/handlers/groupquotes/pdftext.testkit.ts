/**
 * Reads the text back out of a PDF the way a viewer's copy/search does: each shown string's glyph
 * codes through its font's ToUnicode map. Enough for the PDFs pdf-lib writes (Type0 fonts, hex
 * strings shown with Tj); test code only.
 */
import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFRawStream,
  PDFRef,
  type PDFObject,
} from 'pdf-lib';

function streamText(pdf: PDFDocument, object: PDFObject | undefined): string {
  const resolved = object instanceof PDFRef ? pdf.context.lookup(object) : object;
  if (resolved instanceof PDFRawStream)
    return Buffer.from(decodePDFRawStream(resolved).decode()).toString('latin1');
  if (resolved instanceof PDFArray)
    return resolved
      .asArray()
      .map((item) => streamText(pdf, item))
      .join('\n');
  return '';
}

function toUnicodeMap(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  const hex = (h: string): number => parseInt(h, 16);
  const unicode = (h: string): string =>
    String.fromCodePoint(...(h.match(/.{4}/g) ?? []).map((unit) => hex(unit)));
  for (const section of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, code, text] of section[1].matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g))
      map.set(hex(code), unicode(text));
  }
  for (const section of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, from, to, start] of section[1].matchAll(
      /<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g,
    )) {
      for (let code = hex(from), cp = hex(start); code <= hex(to); code += 1, cp += 1)
        map.set(code, String.fromCodePoint(cp));
    }
  }
  return map;
}

export interface PdfText {
  pageCount: number;
  /** Each shown string, in drawing order (one per drawn line). */
  lines: string[];
  title: string | undefined;
}

export async function extractPdfText(bytes: Uint8Array): Promise<PdfText> {
  const pdf = await PDFDocument.load(bytes);
  const lines: string[] = [];
  for (const page of pdf.getPages()) {
    const fonts = new Map<string, Map<number, string>>();
    const fontDict = page.node.Resources()?.lookup(PDFName.of('Font'), PDFDict);
    for (const [name, ref] of fontDict?.entries() ?? []) {
      const font = pdf.context.lookup(ref, PDFDict);
      fonts.set(name.decodeText(), toUnicodeMap(streamText(pdf, font.get(PDFName.of('ToUnicode')))));
    }
    const content = streamText(pdf, page.node.get(PDFName.of('Contents')));
    let current = new Map<number, string>();
    for (const [, fontName, shown] of content.matchAll(/\/(\S+) [\d.]+ Tf|<([0-9A-Fa-f]*)> Tj/g)) {
      if (fontName) current = fonts.get(fontName) ?? new Map<number, string>();
      else
        lines.push(
          (shown.match(/.{4}/g) ?? []).map((code) => current.get(parseInt(code, 16)) ?? '\ufffd').join(''),
        );
    }
  }
  return { pageCount: pdf.getPageCount(), lines, title: pdf.getTitle() };
}
