/** Reads a control's .resx file, so tests render the strings a user will see. */
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';

interface ResxData {
  '@_name': string;
  value?: string | number;
}

export function readResx(path: string): Record<string, string> {
  const parser = new XMLParser({
    ignoreAttributes: false,
    isArray: (name) => name === 'data',
    parseTagValue: false,
  });
  const parsed = parser.parse(readFileSync(path, 'utf8')) as { root: { data?: ResxData[] } };
  const strings: Record<string, string> = {};
  for (const data of parsed.root.data ?? []) strings[data['@_name']] = String(data.value ?? '');
  return strings;
}
