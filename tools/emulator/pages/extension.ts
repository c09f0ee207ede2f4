/**
 * Serves the pages next to the Web API: `GET /` (home) and `GET /views/<entity set>/<view id>?page=n`.
 * Anything else is left to the server (404). Errors a user can cause (an unknown view) answer with a
 * page that says so and the Web API's status.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { DataverseError } from '../../../dataverse/errors';
import type { Engine } from '../engine/engine';
import { ErrorCodes } from '../engine/errors';
import type { EmulatorExtension } from '../start';
import type { LanguageCode } from '../../solution/model';
import { cachedPcfBuild } from '../../solution/pcfcache';
import { formRuntimeScript, pcfHostScript, webResourceScript } from './assets';
import { PCF_ASSET_PREFIX, PcfControls } from './pcf';
import { markup, page } from './html';
import { renderHome, renderView } from './render';
import { resxWebResource } from './resources';
import { errorPage, PageNotFoundError, renderMain, sessionContext } from './shell';

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

const LANG_COOKIE = 'idr_lang';

function cookieLanguage(cookie: string | undefined): LanguageCode | undefined {
  const found = /(?:^|;\s*)idr_lang=(1033|3082)/.exec(cookie ?? '');
  return found ? (Number(found[1]) as LanguageCode) : undefined;
}

/** The user's language: `lang=1033|3082` in the URL (remembered in a cookie), else the cookie, else English. */
function languageOf(request: IncomingMessage, url: URL): { lang: LanguageCode; remember: boolean } {
  const asked = url.searchParams.get('lang');
  if (asked === '1033' || asked === '3082') return { lang: Number(asked) as LanguageCode, remember: true };
  return { lang: cookieLanguage(request.headers.cookie) ?? 1033, remember: false };
}

function sendScript(response: ServerResponse, script: Promise<string>): void {
  script.then(
    (body) => {
      response.writeHead(200, {
        'Content-Type': 'text/javascript; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
      });
      response.end(body);
    },
    (error: unknown) => {
      const body = `console.error(${JSON.stringify(error instanceof Error ? error.message : String(error))});`;
      response.writeHead(500, { 'Content-Type': 'text/javascript; charset=utf-8' });
      response.end(body);
    },
  );
}

/** `/main.aspx` (the app shell), `/_ideario/form.js` and `/WebResources/<name>`; false for anything else. */
function serveApp(
  engine: Engine,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  options: { serviceRoot: string; token?: string; controls?: PcfControls; timeZone?: string },
): boolean {
  if (url.pathname === '/_ideario/form.js') {
    sendScript(response, formRuntimeScript());
    return true;
  }
  if (url.pathname === '/_ideario/pcf.js') {
    sendScript(response, pcfHostScript());
    return true;
  }
  if (url.pathname.startsWith(PCF_ASSET_PREFIX)) {
    // `/_ideario/pcf/controls/<Constructor>/bundle.js`: the control's own build, as Dataverse serves it.
    const [constructorName = '', ...rest] = url.pathname.slice(PCF_ASSET_PREFIX.length).split('/');
    const file = options.controls?.file(constructorName, rest.join('/'));
    if (!file || !file.endsWith('.js')) return false;
    sendScript(response, readFile(file, 'utf8'));
    return true;
  }
  if (url.pathname.startsWith('/WebResources/')) {
    const name = decodeSegment(url.pathname.slice('/WebResources/'.length));
    const resx = name?.endsWith('.resx') ? resxWebResource(name) : undefined;
    if (resx !== undefined) {
      response.writeHead(200, {
        'Content-Type': 'application/xml; charset=utf-8',
        'Cache-Control': 'no-store',
      });
      response.end(resx);
      return true;
    }
    const script = name === undefined ? undefined : webResourceScript(name);
    if (!script) return false;
    sendScript(response, script);
    return true;
  }
  if (url.pathname.toLowerCase() !== '/main.aspx') return false;
  const { lang, remember } = languageOf(request, url);
  if (remember) response.setHeader('Set-Cookie', `${LANG_COOKIE}=${lang}; Path=/; SameSite=Strict`);
  try {
    const answer = renderMain(
      engine,
      {
        params: url.searchParams,
        lang,
        token: options.token,
        controls: options.controls,
        timeZone: options.timeZone,
      },
      options.serviceRoot,
    );
    if (answer.kind === 'redirect') {
      response.writeHead(302, { Location: answer.location, 'Cache-Control': 'no-store' });
      response.end();
    } else send(response, 200, answer.body);
  } catch (error) {
    if (error instanceof PageNotFoundError || error instanceof DataverseError) {
      send(response, error instanceof DataverseError ? error.status : 404, errorPage(lang, error.message));
      return true;
    }
    throw error;
  }
  return true;
}

/** Answers the request when it is for a page; false when it is not (the server then answers 404). */
export function servePage(
  engine: Engine,
  request: IncomingMessage,
  response: ServerResponse,
  serviceRoot?: string,
  token?: string,
  controls?: PcfControls,
  timeZone?: string,
): boolean {
  const url = new URL(request.url ?? '/', 'http://emulator');
  if (request.method === 'GET' || request.method === 'HEAD') {
    // Relative: the page works whichever host name the browser used to reach the emulator.
    if (
      serveApp(engine, request, response, url, { serviceRoot: '/api/data/v9.2/', token, controls, timeZone })
    )
      return true;
  }
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

export interface PagesOptions {
  /**
   * The PCF controls' builds (`<Constructor>/bundle.js…`, as `ideario pack` leaves them in `dist/pcf/`).
   * Without it the pages use the build cache, building the controls in the background when their
   * sources changed; until then a bound control says it is not built.
   */
  readonly pcfDir?: string;
  /** `pcf-controls/`, for the build cache. */
  readonly pcfRoot?: string;
  /**
   * The IANA time zone the days "overdue" and "today" are judged in, for every user. Default: each
   * user's own (usersettings.timezonecode), else the engine's `timeZone` option, else UTC.
   */
  readonly timeZone?: string;
}

export function pagesExtension(options: PagesOptions = {}): EmulatorExtension {
  let engine: Engine | undefined;
  let serviceRoot: string | undefined;
  let token: string | undefined;
  let pcfDir = options.pcfDir;
  const controls = new PcfControls(() => pcfDir);
  return {
    name: 'pages',
    setup(context) {
      engine = context.engine;
      token = context.options.token;
      if (pcfDir === undefined) {
        const logger = context.logger;
        cachedPcfBuild({ pcfRoot: options.pcfRoot ?? path.resolve('pcf-controls'), logger }).then(
          (build) => {
            pcfDir = build.dir;
          },
          (error: unknown) =>
            logger.warn('The PCF controls could not be built: the pages show their fields and grids.', {
              error: error instanceof Error ? error.message : String(error),
            }),
        );
      }
    },
    started(context) {
      serviceRoot = `${context.url}/api/data/v9.2/`;
    },
    fallback: (request, response) =>
      engine ? servePage(engine, request, response, serviceRoot, token, controls, options.timeZone) : false,
    // The pages' own Web API calls (forms, hosted controls) carry the session's language cookie: their
    // formatted values follow it, as a Dynamics user's follow their personal options.
    callContext: (headers) => {
      const lang = cookieLanguage(headers.cookie);
      return lang === undefined ? undefined : sessionContext(lang);
    },
  };
}
