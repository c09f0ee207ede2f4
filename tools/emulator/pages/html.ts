/**
 * Server-rendered HTML with escaping by default: `markup` interpolates strings escaped and only lets
 * `SafeHtml` (what `markup` itself returns) through as markup, so a record value can never become markup.
 */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function markup(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1b1b;background:#f6f7f9}
header{background:#1f3b57;color:#fff;padding:12px 24px}header a{color:#fff;text-decoration:none;font-weight:600}
main{padding:16px 24px}h1{font-size:1.4em}h2{font-size:1.15em;margin-top:28px}
table{border-collapse:collapse;background:#fff;width:100%;font-size:.9em}th,td{border:1px solid #dde1e6;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4}td.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#667}.err{color:#a4262c}
nav.pager a{margin-right:12px}pre{white-space:pre-wrap;margin:0;font-family:inherit}
`;

export function page(title: string, body: SafeHtml): string {
  const head = markup`<head><meta charset="utf-8"><title>${title}</title><style>${new SafeHtml(STYLE)}</style></head>`;
  return `<!doctype html>${markup`<html lang="en">${head}<body><header><a href="/">Ideario emulator</a></header><main>${body}</main></body></html>`.text}`;
}
