/** What can go wrong loading the demo data, with what a person needs to act on it. */
import type { DemoFailure } from './load';

/** Some demo records were refused (a webhook step said no, a column rejected a value…). */
export class DemoLoadError extends Error {
  constructor(
    readonly failures: readonly DemoFailure[],
    readonly total: number,
  ) {
    const first = failures[0];
    super(
      `${failures.length} of ${total} demo records were refused${first ? `; the first, in "${first.step}": ${first.message}` : ''}. ` +
        'The data loaded so far stays; the next start writes only what is missing (or start with --reset).',
    );
    this.name = 'DemoLoadError';
  }
}

/** `--demo-size` names no size. */
export class DemoSizeError extends Error {
  constructor(
    readonly given: string,
    readonly allowed: readonly string[],
  ) {
    super(`--demo-size '${given}' is not a demo size; use one of ${allowed.join(', ')}.`);
    this.name = 'DemoSizeError';
  }
}
