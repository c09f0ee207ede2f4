/**
 * Fitting a chart's category labels into its label column without a text layout engine: widths are
 * estimated from DejaVu Sans advances (the fallback chromium uses when Segoe UI is missing, and wider
 * than Segoe UI), so an estimate is an upper bound and a fitted label is never clipped.
 */

/** Advance widths in em of DejaVu Sans, by character; other characters count as a wide letter. */
const EM: Record<string, number> = {
  ' ': 0.32,
  '.': 0.32,
  ',': 0.32,
  ':': 0.34,
  ';': 0.34,
  '·': 0.32,
  "'": 0.28,
  '!': 0.4,
  '|': 0.34,
  '(': 0.39,
  ')': 0.39,
  '[': 0.39,
  ']': 0.39,
  '-': 0.37,
  '/': 0.34,
  '…': 1,
  '%': 0.95,
  '&': 0.78,
  i: 0.28,
  j: 0.28,
  l: 0.28,
  f: 0.36,
  t: 0.4,
  r: 0.42,
  s: 0.53,
  c: 0.55,
  z: 0.53,
  k: 0.58,
  v: 0.6,
  x: 0.6,
  y: 0.6,
  m: 0.98,
  w: 0.82,
  I: 0.3,
  J: 0.3,
  L: 0.56,
  F: 0.58,
  M: 0.87,
  W: 0.99,
};
const LOWER = 0.64;
const UPPER = 0.78;
const DIGIT = 0.64;

function charEm(ch: string): number {
  const known = EM[ch];
  if (known !== undefined) return known;
  // Accented letters are as wide as their base letter ("é" as "e").
  const base = ch.normalize('NFD')[0] ?? ch;
  const baseKnown = EM[base];
  if (baseKnown !== undefined) return baseKnown;
  if (base >= '0' && base <= '9') return DIGIT;
  if (base >= 'a' && base <= 'z') return LOWER;
  return UPPER;
}

/** The estimated width in px of `text` at `fontSize` px: at least what the browser draws. */
export function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) em += charEm(ch);
  return em * fontSize;
}

/** `text` cut to fit `width` px with an ellipsis; the whole text when it fits. */
export function ellipsize(text: string, width: number, fontSize: number): string {
  if (textWidth(text, fontSize) <= width) return text;
  const chars = [...text];
  let kept = chars.length;
  while (kept > 0 && textWidth(`${chars.slice(0, kept).join('').trimEnd()}…`, fontSize) > width) kept -= 1;
  return `${chars.slice(0, kept).join('').trimEnd()}…`;
}

export interface FittedLabel {
  readonly lines: readonly string[];
  /** True when a line lost characters: the full label must then be reachable another way. */
  readonly cut: boolean;
}

/**
 * Wraps `label` at spaces into at most `maxLines` lines of `width` px, preferring a break after the
 * " · " that joins a chart's groupby values; the last line is ellipsized when the label still overflows.
 */
export function fitLabel(label: string, width: number, fontSize: number, maxLines = 2): FittedLabel {
  if (textWidth(label, fontSize) <= width) return { lines: [label], cut: false };
  const lines: string[] = [];
  let rest = label;
  while (lines.length < maxLines - 1 && textWidth(rest, fontSize) > width) {
    const line = breakLine(rest, width, fontSize);
    if (!line) break;
    lines.push(line);
    rest = rest.slice(line.length).replace(/^[\s·]+/, '');
  }
  const last = ellipsize(rest, width, fontSize);
  lines.push(last);
  return { lines, cut: last !== rest || lines.some((l) => textWidth(l, fontSize) > width) };
}

/** The longest head of `text` ending at a space that fits `width`, the " · " separator first; '' if none. */
function breakLine(text: string, width: number, fontSize: number): string {
  const separator = text.indexOf(' · ');
  if (separator > 0 && textWidth(text.slice(0, separator), fontSize) <= width)
    return text.slice(0, separator);
  let best = '';
  for (let i = text.indexOf(' '); i > 0; i = text.indexOf(' ', i + 1)) {
    const head = text.slice(0, i).trimEnd();
    if (textWidth(head, fontSize) > width) break;
    best = head;
  }
  return best;
}
