/**
 * Case-insensitive whole-string globs: `*` any run of characters (also none, also `/`), `?` exactly
 * one character. Compiled to tokens rather than a RegExp so a rule written by a marketing user can
 * never cause catastrophic backtracking.
 */
export type GlobToken =
  { readonly kind: 'star' } | { readonly kind: 'any' } | { readonly kind: 'char'; readonly char: string };

export interface Glob {
  readonly source: string;
  readonly tokens: readonly GlobToken[];
}

/** Characters are compared by code point after lower-casing, so `?` matches one emoji, not half. */
function fold(text: string): string[] {
  return Array.from(text.toLowerCase());
}

export function foldChar(char: string): string {
  return char.toLowerCase();
}

/** Greedy two-pointer match with one back-track point: O(n·m) at worst, no recursion. */
export function globMatches(glob: Glob, text: string): boolean {
  const tokens = glob.tokens;
  const chars = fold(text);
  let t = 0;
  let c = 0;
  let starToken = -1;
  let starChar = 0;
  while (c < chars.length) {
    const token = tokens[t];
    if (token !== undefined && token.kind === 'star') {
      starToken = t++;
      starChar = c;
    } else if (token !== undefined && (token.kind === 'any' || token.char === chars[c])) {
      t++;
      c++;
    } else if (starToken >= 0) {
      t = starToken + 1;
      c = ++starChar;
    } else {
      return false;
    }
  }
  while (tokens[t]?.kind === 'star') t++;
  return t === tokens.length;
}
