/**
 * RESX text for the strings a form script reads with `Xrm.Utility.getResourceString`: the .NET resource
 * format Dataverse imports as a String (RESX) web resource, one file per language, the LCID in its name
 * (`idr_/opportunity/strings.3082.resx`; "String (RESX) web resources", Power Apps docs).
 */

/** A RESX file that is not one `writeResx` could have written. */
export class InvalidResxError extends Error {
  constructor(
    readonly fileName: string,
    readonly reason: string,
  ) {
    super(`${fileName} is not a RESX file of string resources: ${reason}.`);
    this.name = 'InvalidResxError';
  }
}

const escapeXml = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const unescapeXml = (value: string): string =>
  value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** The RESX document for these strings, keys in the order given (same strings, same bytes). */
export function writeResx(strings: Readonly<Record<string, string>>): string {
  const data = Object.entries(strings).map(
    ([key, value]) =>
      `  <data name="${escapeXml(key)}" xml:space="preserve">\n    <value>${escapeXml(value)}</value>\n  </data>\n`,
  );
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n<root>\n' +
    '  <resheader name="resmimetype">\n    <value>text/microsoft-resx</value>\n  </resheader>\n' +
    '  <resheader name="version">\n    <value>2.0</value>\n  </resheader>\n' +
    '  <resheader name="reader">\n    <value>System.Resources.ResXResourceReader, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value>\n  </resheader>\n' +
    '  <resheader name="writer">\n    <value>System.Resources.ResXResourceWriter, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value>\n  </resheader>\n' +
    `${data.join('')}</root>\n`
  );
}

/** The key → string pairs of a RESX file's `<data>` entries. */
export function readResx(text: string, fileName = 'RESX'): Record<string, string> {
  if (!/<root>[\s\S]*<\/root>/.test(text)) throw new InvalidResxError(fileName, 'no <root> element');
  const strings: Record<string, string> = {};
  for (const match of text.matchAll(/<data\s+name="([^"]*)"[^>]*>\s*<value>([\s\S]*?)<\/value>/g)) {
    strings[unescapeXml(match[1])] = unescapeXml(match[2]);
  }
  return strings;
}
