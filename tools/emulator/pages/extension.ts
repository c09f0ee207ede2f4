/**
 * Serves the pages next to the Web API: `GET /` (home) and `GET /views/<entity set>/<view id>?page=n`.
 * Anything else is left to the server (404). Errors a user can cause (an unknown view) answer with a
 * page that says so and the Web API's status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DataverseError } from '../../../dataverse/errors';
import type { Engine } from '../engine/engine';
import { ErrorCodes } from '../engine/errors';
import type { EmulatorExtension } from '../start';
import { markup, page } from './html';
import { renderHome, renderView } from './render';

function send(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  response.end(body);
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** A malformed percent-escape in the path: 400, as a page for a browser and in the Web API's error shape otherwise. */
function sendBadPath(request: IncomingMessage, response: ServerResponse, pathname: string): void {
  const message = `The path ${pathname} has an invalid percent-encoding.`;
  if (request.headers.accept?.includes('text/html')) {
    send(
      response,
      400,
      page('Bad request', markup`<h1>Cannot show this page</h1><p class="err">${message}</p>`),
    );
    return;
  }
  const body = JSON.stringify({ error: { code: ErrorCodes.InvalidArgument, message } });
  response.writeHead(400, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

/** Answers the request when it is for a page; false when it is not (the server then answers 404). */
export function servePage(
  engine: Engine,
  request: IncomingMessage,
  response: ServerResponse,
  serviceRoot?: string,
): boolean {
  const url = new URL(request.url ?? '/', 'http://emulator');
  const view = /^\/views\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
  if (url.pathname !== '/' && !view) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    send(response, 405, page('Method not allowed', markup`<p>The pages answer GET only.</p>`));
    return true;
  }
  try {
    if (!view) {
      send(response, 200, renderHome(engine, { serviceRoot }));
      return true;
    }
    const pageNumber = Number(url.searchParams.get('page') ?? '1');
    const entitySet = decodeSegment(view[1] ?? '');
    const viewId = decodeSegment(view[2] ?? '');
    if (entitySet === undefined || viewId === undefined) {
      sendBadPath(request, response, url.pathname);
      return true;
    }
    send(
      response,
      200,
      renderView(engine, entitySet, viewId, Number.isInteger(pageNumber) && pageNumber > 0 ? pageNumber : 1),
    );
  } catch (error) {
    if (!(error instanceof DataverseError)) throw error;
    send(
      response,
      error.status,
      page(
        'Not found',
        markup`<h1>Cannot show this page</h1>
          <p class="err">${error.message}</p>
          <p><a href="/">Back to the tables</a></p>`,
      ),
    );
  }
  return true;
}

export function pagesExtension(): EmulatorExtension {
  let engine: Engine | undefined;
  let serviceRoot: string | undefined;
  return {
    name: 'pages',
    setup(context) {
      engine = context.engine;
    },
    started(context) {
      serviceRoot = `${context.url}/api/data/v9.2/`;
    },
    fallback: (request, response) => (engine ? servePage(engine, request, response, serviceRoot) : false),
  };
}
