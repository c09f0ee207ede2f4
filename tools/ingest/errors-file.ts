/**
 * `<file>.errors.csv`: one line per rejected row — its line in the input, the column(s) at fault and
 * why, then the row exactly as it was. Fix the values and ingest the errors file itself: ingest
 * ignores the three leading columns.
 */
import { open, stat, truncate, type FileHandle } from 'node:fs/promises';

export const ERROR_COLUMNS = ['line', 'column', 'error'] as const;

/**
 * A value a spreadsheet would run as a formula (=, +, -, @, or a leading tab or carriage return) gets
 * a leading apostrophe, as OWASP's "CSV Injection" advice says: the errors file is opened in Excel by
 * people fixing rows. Ingest drops that apostrophe again when the errors file is ingested back.
 */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

export interface RejectedRow {
  readonly line: number;
  readonly columns: readonly string[];
  readonly messages: readonly string[];
  readonly fields: readonly string[];
}

export class ErrorsFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    private size: number,
    private rows: number,
    private readonly width: number,
  ) {}

  /** A new file with its header; on resume, the existing one cut back to what the checkpoint knew. */
  static async open(file: string, header: readonly string[], resumeAtBytes?: number): Promise<ErrorsFile> {
    const headerLine = csvLine([...ERROR_COLUMNS, ...header]);
    if (resumeAtBytes !== undefined && resumeAtBytes > 0) {
      const existing = await stat(file).catch(() => undefined);
      if (existing && existing.size >= resumeAtBytes) {
        await truncate(file, resumeAtBytes);
        const earlierRows = resumeAtBytes > Buffer.byteLength(headerLine, 'utf8') ? 1 : 0;
        return new ErrorsFile(file, await open(file, 'a'), resumeAtBytes, earlierRows, header.length);
      }
    }
    const handle = await open(file, 'w');
    const errorsFile = new ErrorsFile(file, handle, 0, 0, header.length);
    await errorsFile.write(headerLine);
    return errorsFile;
  }

  get bytes(): number {
    return this.size;
  }

  /** True once a rejected row was written (this run or the one resumed). */
  get hasRows(): boolean {
    return this.rows > 0;
  }

  async add(rows: readonly RejectedRow[]): Promise<void> {
    if (rows.length === 0) return;
    const text = rows
      // A short row is padded, so every line has the header's columns and the file reads back cleanly.
      .map((r) =>
        csvLine(
          [
            String(r.line),
            [...new Set(r.columns)].join(';'),
            r.messages.join('; '),
            ...r.fields,
            ...Array<string>(Math.max(0, this.width - r.fields.length)).fill(''),
          ].map(neutraliseFormula),
        ),
      )
      .join('');
    await this.write(text);
    this.rows += rows.length;
  }

  private async write(text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    await this.handle.write(bytes);
    this.size += bytes.length;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
