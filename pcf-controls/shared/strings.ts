/**
 * Control strings come from the .resx files PCF loads for the user's language (1033 English, 3082
 * Spanish); components receive them as a plain object so they render the same in tests.
 */
export type Strings<K extends string> = Readonly<Record<K, string>>;

export function readStrings<K extends string>(
  keys: readonly K[],
  getString: (key: string) => string,
): Strings<K> {
  const strings = {} as Record<K, string>;
  for (const key of keys) strings[key] = getString(key);
  return strings;
}
