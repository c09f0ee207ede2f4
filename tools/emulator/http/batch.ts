/**
 * `$batch` bodies: multipart/mixed requests (parsed with @remix-run/multipart-parser) holding
 * application/http parts and changesets, and the multipart response Dataverse writes back
 * ("Execute batch operations using the Web API": batchresponse_/changesetresponse_ boundaries,
 * Content-ID echoed, one part per request).
 */
import { MultipartParseError, parseMultipart } from '@remix-run/multipart-parser';
import { BadRequestError } from '../engine/errors';

export interface HttpRequestPart {
  readonly method: string;
  /** The URL as written in the part: absolute, root-relative, relative or `$1…`. */
  readonly url: string;
  /** Lower-case header names. */
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly contentId?: string;
}

export type BatchItem =
  | { readonly kind: 'request'; readonly request: HttpRequestPart }
  | { readonly kind: 'changeset'; readonly requests: readonly HttpRequestPart[] };

export interface HttpResponsePart {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly contentId?: string;
}

export type BatchResponseItem =
  | { readonly kind: 'response'; readonly response: HttpResponsePart }
  | { readonly kind: 'changeset'; readonly responses: readonly HttpResponsePart[] };

/** Dataverse accepts at most 1000 requests in one batch. */
export const MAX_BATCH_REQUESTS = 1000;

export function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /boundary=("([^"]+)"|[^;\s]+)/i.exec(contentType ?? '');
  return match ? (match[2] ?? match[1]) : undefined;
}

const encoder = new TextEncoder();

/** RFC 2046 allows a preamble before the first boundary (dynamics-web-api sends a CRLF); the parser does not. */
function withoutPreamble(body: Uint8Array, boundary: string): Uint8Array {
  const start = Buffer.from(body.buffer, body.byteOffset, body.byteLength).indexOf(`--${boundary}`);
  return start > 0 ? body.subarray(start) : body;
}

function parts(body: Uint8Array, boundary: string) {
  try {
    return [
      ...parseMultipart(withoutPreamble(body, boundary), {
        boundary,
        maxParts: MAX_BATCH_REQUESTS * 2,
        maxFileSize: 64 * 1024 * 1024,
        maxTotalSize: 256 * 1024 * 1024,
      }),
    ];
  } catch (error) {
    if (error instanceof MultipartParseError)
      throw new BadRequestError(`The $batch body is not valid multipart/mixed: ${error.message}`);
    throw error;
  }
}

/** An application/http part: request line, headers, blank line, body. */
function parseHttpPart(text: string, contentId: string | undefined): HttpRequestPart {
  const normalised = text.replace(/\r\n/g, '\n').replace(/^\n+/, '');
  const blank = normalised.indexOf('\n\n');
  const head = blank < 0 ? normalised : normalised.slice(0, blank);
  const body = blank < 0 ? '' : normalised.slice(blank + 2).replace(/\n+$/, '');
  const [requestLine = '', ...headerLines] = head.split('\n');
  const match = /^(GET|POST|PATCH|PUT|DELETE)\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?\s*$/i.exec(requestLine.trim());
  if (!match?.[1] || !match[2])
    throw new BadRequestError(`Invalid request line in $batch part: '${requestLine}'.`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    method: match[1].toUpperCase(),
    url: match[2],
    headers,
    body,
    contentId: contentId ?? headers['content-id'],
  };
}

export function parseBatch(body: string | Uint8Array, contentType: string | undefined): BatchItem[] {
  const boundary = boundaryOf(contentType);
  if (!boundary || !/^multipart\/mixed/i.test(contentType ?? '')) {
    throw new BadRequestError(`A $batch request needs 'Content-Type: multipart/mixed; boundary=batch_<id>'.`);
  }
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  const items: BatchItem[] = [];
  let count = 0;
  for (const part of parts(bytes, boundary)) {
    const type = part.headers['content-type'] ?? '';
    if (/^multipart\/mixed/i.test(type)) {
      const inner = boundaryOf(type);
      if (!inner) throw new BadRequestError(`A changeset needs a boundary in its Content-Type.`);
      const requests = parts(part.bytes, inner).map((p) => parseHttpPart(p.text, p.headers['content-id']));
      for (const request of requests) {
        if (request.method === 'GET')
          throw new BadRequestError(`GET requests are not allowed in a changeset (${request.url}).`);
      }
      count += requests.length;
      items.push({ kind: 'changeset', requests });
    } else {
      items.push({ kind: 'request', request: parseHttpPart(part.text, part.headers['content-id']) });
      count++;
    }
    if (count > MAX_BATCH_REQUESTS) {
      throw new BadRequestError(
        `The number of requests in a $batch exceeded the limit of ${MAX_BATCH_REQUESTS}.`,
      );
    }
  }
  return items;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  412: 'Precondition Failed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Unknown';
}

function formatPart(response: HttpResponsePart): string {
  const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (response.contentId !== undefined) lines.push(`Content-ID: ${response.contentId}`);
  lines.push('', `HTTP/1.1 ${response.status} ${reasonPhrase(response.status)}`);
  for (const [name, value] of Object.entries(response.headers)) lines.push(`${name}: ${value}`);
  lines.push('', response.body ?? '');
  return lines.join('\r\n');
}

export function formatBatchResponse(
  items: readonly BatchResponseItem[],
  newId: () => string,
): { contentType: string; body: string } {
  const boundary = `batchresponse_${newId()}`;
  const chunks: string[] = [];
  for (const item of items) {
    if (item.kind === 'response') {
      chunks.push(`--${boundary}\r\n${formatPart(item.response)}`);
      continue;
    }
    const changeset = `changesetresponse_${newId()}`;
    const inner = item.responses.map((r) => `--${changeset}\r\n${formatPart(r)}`).join('\r\n');
    chunks.push(
      `--${boundary}\r\nContent-Type: multipart/mixed; boundary=${changeset}\r\n\r\n${inner}\r\n--${changeset}--`,
    );
  }
  chunks.push(`--${boundary}--\r\n`);
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: chunks.join('\r\n') };
}
