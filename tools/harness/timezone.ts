/**
 * Runs a form-script scenario in a child Node process with another TZ. A date-only control holds
 * local midnight, so a script doing date arithmetic in milliseconds only goes wrong where the
 * clocks change: a test must run in such a zone to be able to fail. Jest workers cannot change
 * their own time zone (the test's `process.env` is a copy), hence the child process.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

/** The scenario process failed or printed no result. */
export class TimeZoneScenarioError extends Error {
  constructor(
    readonly timeZone: string,
    readonly modulePath: string,
    readonly exportName: string,
    readonly output: string,
  ) {
    super(`Scenario ${exportName} of ${modulePath} failed in time zone ${timeZone}:\n${output}`);
    this.name = 'TimeZoneScenarioError';
  }
}

export const RESULT_MARKER = '@@harness-result@@';

/**
 * Calls `exportName` (an async function taking no arguments and returning JSON-serialisable data)
 * of the TypeScript module at `modulePath` in a process whose local time zone is `timeZone`.
 */
export function runInTimeZone<T>(timeZone: string, modulePath: string, exportName: string): Promise<T> {
  const runner = path.join(__dirname, 'timezone-runner.ts');
  return new Promise<T>((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', runner, path.resolve(modulePath), exportName],
      { env: { ...process.env, TZ: timeZone }, cwd: path.resolve(__dirname, '..', '..'), timeout: 20_000 },
      (error, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARKER));
        if (error || line === undefined) {
          reject(
            new TimeZoneScenarioError(
              timeZone,
              modulePath,
              exportName,
              `${stderr}${stdout}`.trim() || (error?.message ?? 'no result printed'),
            ),
          );
          return;
        }
        resolve(JSON.parse(line.slice(RESULT_MARKER.length)) as T);
      },
    );
  });
}
