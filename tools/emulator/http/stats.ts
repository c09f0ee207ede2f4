/**
 * The emulator's request counter: how many Web API requests it served, so benches and tools can say
 * what a workload costs against the service protection limits, which count one `$batch` as one
 * request ("Service protection API limits"). The operations inside batches are counted apart.
 * Read in process (`RunningEmulator.stats`) or over HTTP (`GET /api/ideario/stats`, same token as
 * the Web API; `DELETE` or `POST /api/ideario/stats/reset` starts from zero).
 */
export interface RequestCounts {
  /** Web API requests served, a `$batch` counted once. */
  readonly requests: number;
  /** Of those, `$batch` requests. */
  readonly batches: number;
  /** Operations carried inside those batches (each changeset part and each lone part). */
  readonly batchOperations: number;
  /** Requests per HTTP method (GET, POST, PATCH, DELETE…). */
  readonly byMethod: Readonly<Record<string, number>>;
  /** When the counts started (ISO 8601): the emulator's start or the last reset. */
  readonly since: string;
}

export class RequestStats {
  private requests = 0;
  private batches = 0;
  private batchOperations = 0;
  private byMethod: Record<string, number> = {};
  private since: Date;

  constructor(private readonly clock: () => Date = () => new Date()) {
    this.since = clock();
  }

  /** One Web API request arrived (after the token check). */
  request(method: string): void {
    this.requests++;
    const key = method.toUpperCase();
    this.byMethod[key] = (this.byMethod[key] ?? 0) + 1;
  }

  /** A `$batch` with this many operations was parsed. */
  batch(operations: number): void {
    this.batches++;
    this.batchOperations += operations;
  }

  snapshot(): RequestCounts {
    return {
      requests: this.requests,
      batches: this.batches,
      batchOperations: this.batchOperations,
      byMethod: { ...this.byMethod },
      since: this.since.toISOString(),
    };
  }

  reset(): void {
    this.requests = 0;
    this.batches = 0;
    this.batchOperations = 0;
    this.byMethod = {};
    this.since = this.clock();
  }
}
