/**
 * Serves the pages next to the Web API: `GET /` (home) and `GET /views/<entity set>/<view id>?page=n`.
 * Anything else is left to the server (404). Errors a user can cause (an unknown view) answer with a
 * page that says so and the Web API's status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DataverseError } from '../../../dataverse/errors';
import type { Engine } from '../engine/engine';
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
    send(
      response,
      200,
      renderView(
        engine,
        decodeURIComponent(view[1] ?? ''),
        decodeURIComponent(view[2] ?? ''),
        Number.isInteger(pageNumber) && pageNumber > 0 ? pageNumber : 1,
      ),
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
