/**
 * `GET /emulator/jobs/idle[?wait=<seconds>]`: whether the system job queue is idle, for scripts and
 * tests outside the process (`curl …/emulator/jobs/idle?wait=600`). Waits up to `wait` seconds (at most
 * an hour) for the queue to go idle, then answers 200 `{"idle":true,…}`, or 503 with the counts still
 * due and running. Not part of the Dataverse Web API: an emulator convenience, beside the home page.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JobsNotIdleError } from './errors';
import type { SystemJobs } from './system-jobs';

export const IDLE_PATH = '/emulator/jobs/idle';
const MAX_WAIT_SECONDS = 3600;

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  response.end(text);
}

/** Answers the request when it is for the idle route; false otherwise. */
export async function serveIdle(
  jobs: SystemJobs,
  request: IncomingMessage,
  response: ServerResponse,
  token?: string,
): Promise<boolean> {
  const url = new URL(request.url ?? '/', 'http://emulator');
  if (url.pathname !== IDLE_PATH) return false;
  if (request.method !== 'GET') {
    json(response, 405, { error: { message: `${IDLE_PATH} answers GET only.` } });
    return true;
  }
  if (token !== undefined && request.headers.authorization !== `Bearer ${token}`) {
    json(response, 401, {
      error: { message: 'The emulator was started with --token: send Authorization: Bearer <that token>.' },
    });
    return true;
  }
  const wait = url.searchParams.get('wait') ?? '0';
  if (!/^\d+(\.\d+)?$/.test(wait) || Number(wait) > MAX_WAIT_SECONDS) {
    json(response, 400, {
      error: { message: `wait must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}, got '${wait}'.` },
    });
    return true;
  }
  try {
    await jobs.whenIdle({ timeoutMs: Number(wait) * 1000 });
    json(response, 200, { idle: true, due: 0, running: 0 });
  } catch (error) {
    if (!(error instanceof JobsNotIdleError)) throw error;
    json(response, 503, { idle: false, ...error.counts, message: error.message });
  }
  return true;
}
