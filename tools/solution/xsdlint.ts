/**
 * `tsx tools/solution/xsdlint.ts <xsdDir> <zip…>`: validates the `customizations.xml` of each zip
 * against Microsoft's `CustomizationsSolution.xsd` (and the schemas it includes) with libxml2
 * (xmllint-wasm). Prints every error with its line and exits 1 when there is any.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { validateXML, type XMLFileInfo } from 'xmllint-wasm';
import { decodeXmlBytes } from './xml';
import { readZip } from './zip';

const MAIN_SCHEMA = 'CustomizationsSolution.xsd';

/** The schema folder lacks `CustomizationsSolution.xsd`, or libxml2 cannot compile it. */
export class SchemaUnavailableError extends Error {
  constructor(
    readonly xsdDir: string,
    readonly reason: string,
  ) {
    super(`Cannot use the solution schemas in ${xsdDir}: ${reason}`);
    this.name = 'SchemaUnavailableError';
  }
}

export interface Schemas {
  main: XMLFileInfo;
  preload: XMLFileInfo[];
  /** Compatibility fix-ups applied in memory (the files on disk are never changed). */
  fixups: string[];
}

/**
 * FormXml.xsd repeats the SearchWidgetControlParameters group in two branches of one choice.
 * .NET's validator tolerates it; libxml2 rejects the schema ("content model is not determinist").
 * Dropping the second, redundant branch accepts exactly the same documents.
 */
const FIXUPS: { file: string; description: string; pattern: RegExp; replacement: string }[] = [
  {
    file: 'FormXml.xsd',
    description:
      'FormXml.xsd: removed the duplicate "Search Widget parameters" choice (libxml2 rejects it as non-deterministic)',
    pattern:
      /<!--\s*Search Widget parameters\s*-->\s*<xs:choice minOccurs="1" maxOccurs="unbounded">\s*<xs:group ref="SearchWidgetControlParameters" minOccurs="0" maxOccurs="unbounded"\s*\/>\s*<\/xs:choice>/,
    replacement: '',
  },
];

export async function loadSchemas(xsdDir: string): Promise<Schemas> {
  let names: string[];
  try {
    names = (await readdir(xsdDir)).filter((n) => n.toLowerCase().endsWith('.xsd')).sort();
  } catch (error) {
    throw new SchemaUnavailableError(xsdDir, error instanceof Error ? error.message : String(error));
  }
  if (!names.includes(MAIN_SCHEMA)) throw new SchemaUnavailableError(xsdDir, `${MAIN_SCHEMA} is not there.`);
  const fixups: string[] = [];
  const files: XMLFileInfo[] = [];
  for (const name of names) {
    let text = decodeXmlBytes(await readFile(path.join(xsdDir, name)));
    for (const fix of FIXUPS.filter((f) => f.file === name)) {
      if (fix.pattern.test(text)) {
        text = text.replace(fix.pattern, fix.replacement);
        fixups.push(fix.description);
      }
    }
    files.push({ fileName: name, contents: text });
  }
  return {
    main: files.find((f) => f.fileName === MAIN_SCHEMA) as XMLFileInfo,
    preload: files.filter((f) => f.fileName !== MAIN_SCHEMA),
    fixups,
  };
}

export interface LintError {
  /** The zip (or file) the document came from. */
  source: string;
  line: number | null;
  message: string;
}

/** Validates one `customizations.xml` document; an empty list means it conforms. */
export async function lintCustomizations(
  xml: string | Uint8Array,
  schemas: Schemas,
  source: string,
): Promise<LintError[]> {
  let result;
  try {
    result = await validateXML({
      xml: [{ fileName: 'customizations.xml', contents: decodeXmlBytes(xml) }],
      schema: [schemas.main],
      preload: schemas.preload,
      maxMemoryPages: 4096,
    });
  } catch (error) {
    throw new SchemaUnavailableError(
      path.dirname(schemas.main.fileName),
      error instanceof Error ? error.message : String(error),
    );
  }
  return result.errors.map((e) => ({ source, line: e.loc?.lineNumber ?? null, message: e.message.trim() }));
}

/** Validates the `customizations.xml` of each zip; returns every error found. */
export async function lintZips(xsdDir: string, zips: readonly string[]): Promise<LintError[]> {
  const schemas = await loadSchemas(xsdDir);
  const errors: LintError[] = [];
  for (const zip of zips) {
    const parts = await readZip(await readFile(zip), zip);
    const customizations = parts.get('customizations.xml');
    if (!customizations) {
      errors.push({ source: zip, line: null, message: 'no customizations.xml in the zip' });
      continue;
    }
    errors.push(...(await lintCustomizations(customizations, schemas, zip)));
  }
  return errors;
}

export function formatLintError(error: LintError): string {
  return `${error.source}: customizations.xml${error.line !== null ? `:${error.line}` : ''}: ${error.message}`;
}

async function main(argv: string[]): Promise<number> {
  const [xsdDir, ...zips] = argv;
  if (!xsdDir || zips.length === 0) {
    console.error('usage: tsx tools/solution/xsdlint.ts <xsdDir> <zip…>');
    return 2;
  }
  const schemas = await loadSchemas(xsdDir);
  for (const fix of schemas.fixups) console.error(`note: ${fix}`);
  const errors = await lintZips(xsdDir, zips);
  for (const error of errors) console.error(formatLintError(error));
  if (errors.length > 0) {
    console.error(`${errors.length} schema error(s) in ${new Set(errors.map((e) => e.source)).size} zip(s).`);
    return 1;
  }
  console.log(`${zips.length} customizations.xml valid against ${path.join(xsdDir, MAIN_SCHEMA)}.`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
}
