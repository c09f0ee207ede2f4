/**
 * What every `ideario` command that talks to an environment shares: the user-facing error base class and
 * `runCommand`, which turns the failures a user can fix into one clear line and exit code 1, and lets
 * programming errors through with their stack.
 */
import { DataverseUnreachableError } from '../../dataverse/adapters/errors';
import { TokenAcquisitionError } from '../../dataverse/adapters/msal';
import { DataverseError } from '../../dataverse/errors';
import type { Logger } from '../../dataverse/logger';

/** A failure the user can fix; its message says how. Each kind subclasses it. */
export class UserFacingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserFacingError';
  }
}

/** What a refused connection to this machine most often means. */
function hintFor(error: DataverseUnreachableError): string {
  let loopback = false;
  try {
    loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(error.url).hostname);
  } catch {
    loopback = false;
  }
  if (error.errno === 'ECONNREFUSED' && loopback)
    return ' Is the emulator running (npm start)? `ideario auth list` shows the environments known.';
  if (error.errno === 'ENOTFOUND' || error.errno === 'EAI_AGAIN') return ' Check the environment URL.';
  return '';
}

/** The one line a user sees for `error`, or undefined when it is not theirs to fix. */
export function describeUserError(error: unknown): string | undefined {
  if (error instanceof DataverseUnreachableError) return `${error.message}.${hintFor(error)}`;
  if (error instanceof UserFacingError || error instanceof TokenAcquisitionError) return error.message;
  if (error instanceof DataverseError) return error.message;
  return undefined;
}

/**
 * Runs a command body and returns its exit code: the body's own, or 1 with one line on the logger for a
 * failure the user can fix. `name` prefixes the line ("sweep failed: …").
 */
export async function runCommand(name: string, logger: Logger, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    const line = describeUserError(error);
    if (line === undefined) throw error;
    logger.error(`${name} failed: ${line}`);
    return 1;
  }
}
