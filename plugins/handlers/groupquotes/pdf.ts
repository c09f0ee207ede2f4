/**
 * Renders a `QuotationDocument` (domain/quotation/document.ts) as an A4 PDF with pdf-lib. The font
 * is embedded (Noto Sans from @expo-google-fonts/noto-sans, subset to the glyphs used): pdf-lib's
 * standard fonts are not embedded and cannot write "€" or "ñ" reliably in every viewer.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import type { QuotationDocument } from '../../../domain/quotation';
import { DocumentFontMissingError } from './errors';

export interface PdfFonts {
  regular: Uint8Array;
  bold: Uint8Array;
}

const FONT_PACKAGE = '@expo-google-fonts/noto-sans';
let cachedFonts: PdfFonts | undefined;

/** Where the Azure Functions bundle keeps the font files (tools/azure/build.ts copies them there). */
export const BUNDLED_FONT_DIR = 'fonts';
const REGULAR = 'NotoSans_400Regular.ttf';
const BOLD = 'NotoSans_700Bold.ttf';

function fontFiles(): { regular: string; bold: string } {
  try {
    const root = dirname(require.resolve(`${FONT_PACKAGE}/package.json`));
    return { regular: join(root, '400Regular', REGULAR), bold: join(root, '700Bold', BOLD) };
  } catch {
    // Bundled (dist/index.js): the fonts sit beside the bundle's folder.
    const dir = join(__dirname, '..', BUNDLED_FONT_DIR);
    return { regular: join(dir, REGULAR), bold: join(dir, BOLD) };
  }
}

/** The TTF files of the font package (or the bundle's copies), read once per process. */
export function defaultFonts(): PdfFonts {
  if (cachedFonts) return cachedFonts;
  const files = fontFiles();
  try {
    cachedFonts = { regular: readFileSync(files.regular), bold: readFileSync(files.bold) };
  } catch {
    throw new DocumentFontMissingError(FONT_PACKAGE);
  }
  return cachedFonts;
}

/** The font files to ship beside a bundle, as [source path, file name]. */
export function fontFilesToBundle(): [string, string][] {
  const files = fontFiles();
  return [
    [files.regular, REGULAR],
    [files.bold, BOLD],
  ];
}

const PAGE: [number, number] = [595.28, 841.89]; // A4 in points
const MARGIN = 56;
const BODY_SIZE = 10.5;
const LINE = 15;
const TITLE_SIZE = 18;
const HEADING_SIZE = 12;
const LABEL_WIDTH = 210;
const INK = rgb(0.1, 0.1, 0.12);
const RULE = rgb(0.75, 0.75, 0.78);

/** Greedy word wrap to `width` points; a word longer than the line is cut by characters. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/ +/)) {
    const candidate = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(candidate, size) <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = word;
    while (font.widthOfTextAtSize(line, size) > width && line.length > 1) {
      let cut = line.length - 1;
      while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), size) > width) cut -= 1;
      lines.push(line.slice(0, cut));
      line = line.slice(cut);
    }
  }
  if (line) lines.push(line);
  return lines.length > 0 ? lines : [''];
}

class Writer {
  private page: PDFPage;
  private y: number;
  pages = 0;

  constructor(
    private readonly pdf: PDFDocument,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
  ) {
    this.page = this.newPage();
    this.y = PAGE[1] - MARGIN;
  }

  private newPage(): PDFPage {
    this.pages += 1;
    this.y = PAGE[1] - MARGIN;
    return this.pdf.addPage(PAGE);
  }

  /** Room for `height` points on this page, else a new page. */
  private need(height: number): void {
    if (this.y - height < MARGIN) this.page = this.newPage();
  }

  text(text: string, options: { x?: number; width?: number; font?: PDFFont; size?: number } = {}): number {
    const font = options.font ?? this.regular;
    const size = options.size ?? BODY_SIZE;
    const x = options.x ?? MARGIN;
    const lines = wrap(text, font, size, options.width ?? PAGE[0] - MARGIN - x);
    for (const line of lines) {
      this.page.drawText(line, { x, y: this.y - size, size, font, color: INK });
      this.y -= size + (LINE - BODY_SIZE);
    }
    return lines.length;
  }

  /** One table row: cells side by side, each wrapped in its column; the row advances by its tallest cell. */
  row(cells: readonly string[], widths: readonly number[], font: PDFFont = this.regular): void {
    const heights = cells.map((cell, i) => wrap(cell, font, BODY_SIZE, widths[i] - 8).length);
    const height = Math.max(...heights) * LINE;
    this.need(height);
    const top = this.y;
    let x = MARGIN;
    cells.forEach((cell, i) => {
      this.y = top;
      this.text(cell, { x, width: widths[i] - 8, font: i === 0 ? this.bold : font });
      x += widths[i];
    });
    this.y = top - height;
    this.page.drawLine({
      start: { x: MARGIN, y: this.y + 3 },
      end: { x: PAGE[0] - MARGIN, y: this.y + 3 },
      thickness: 0.4,
      color: RULE,
    });
  }

  gap(points: number): void {
    this.y -= points;
  }

  paragraph(text: string, font?: PDFFont, size?: number): void {
    this.need(LINE * 2);
    this.text(text, { font, size });
  }
}

export interface RenderOptions {
  /** Recorded as the PDF's creation and modification date (the clock passed in, not the machine's). */
  createdAt: Date;
  fonts?: PdfFonts;
}

/** The document as PDF bytes. */
export async function renderDocumentPdf(
  document: QuotationDocument,
  options: RenderOptions,
): Promise<Uint8Array> {
  const fonts = options.fonts ?? defaultFonts();
  const pdf = await PDFDocument.create();
  pdf.registerFontkit(fontkit);
  const regular = await pdf.embedFont(fonts.regular, { subset: true });
  const bold = await pdf.embedFont(fonts.bold, { subset: true });
  pdf.setTitle(document.title);
  pdf.setLanguage(document.language === 'es' ? 'es-ES' : 'en-GB');
  pdf.setCreator('Ideario');
  pdf.setProducer('Ideario (pdf-lib)');
  pdf.setCreationDate(options.createdAt);
  pdf.setModificationDate(options.createdAt);

  const writer = new Writer(pdf, regular, bold);
  writer.paragraph(document.title, bold, TITLE_SIZE);
  writer.gap(8);
  const contentWidth = PAGE[0] - 2 * MARGIN;
  for (const block of document.blocks) {
    switch (block.type) {
      case 'paragraph':
        writer.paragraph(block.text);
        writer.gap(4);
        break;
      case 'heading':
        writer.gap(6);
        writer.paragraph(block.text, bold, HEADING_SIZE);
        break;
      case 'table': {
        const columns = block.header?.length ?? block.rows[0]?.length ?? 2;
        const widths =
          columns === 2
            ? [LABEL_WIDTH, contentWidth - LABEL_WIDTH]
            : Array.from({ length: columns }, () => contentWidth / columns);
        if (block.header) writer.row(block.header, widths, bold);
        for (const row of block.rows) writer.row(row, widths);
        writer.gap(8);
        break;
      }
    }
  }
  return pdf.save({ useObjectStreams: false });
}
