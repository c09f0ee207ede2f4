/**
 * Service protection limits and fault injection, both off unless asked for. Limits follow
 * "Service protection API limits": per user, a sliding window of requests (6000 per 300 s by
 * default in Dataverse) and a cap on concurrent requests (52); over either the Web API answers 429
 * with `Retry-After` in seconds and code 0x80072322 / 0x80072326. A `$batch` counts as one request.
 */
import { BadRequestError, ErrorCodes, ServiceProtectionError } from '../engine/errors';

export interface RequestLimit {
  readonly requests: number;
  readonly windowSeconds: number;
}

export interface Fault {
  readonly status: number;
  readonly probability: number;
}

export interface ProtectionOptions {
  readonly limit?: RequestLimit;
  readonly concurrency?: number;
  readonly faults?: readonly Fault[];
  /** Randomness for fault injection, in [0, 1). */
  readonly random?: () => number;
  /** Milliseconds since the epoch; the sliding window's clock. */
  readonly now?: () => number;
}

/** `6000/300s`, `100/1m` → limit. */
export function parseLimit(text: string): RequestLimit {
  const match = /^(\d+)\/(\d+)(s|m)?$/.exec(text.trim());
  if (!match?.[1] || !match[2])
    throw new BadRequestError(`Invalid --limit '${text}': expected <requests>/<seconds>s, e.g. 6000/300s.`);
  const window = Number(match[2]) * (match[3] === 'm' ? 60 : 1);
  const requests = Number(match[1]);
  if (requests < 1 || window < 1)
    throw new BadRequestError(`Invalid --limit '${text}': both numbers must be at least 1.`);
  return { requests, windowSeconds: window };
}

/** `503:0.05,429:0.01` → faults. */
export function parseFaults(text: string): Fault[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const match = /^(\d{3}):(0(?:\.\d+)?|1(?:\.0+)?)$/.exec(item);
      if (!match?.[1] || !match[2])
        throw new BadRequestError(
          `Invalid --faults entry '${item}': expected <status>:<probability>, e.g. 503:0.05.`,
        );
      return { status: Number(match[1]), probability: Number(match[2]) };
    });
}

export class ServiceProtection {
  private readonly recent = new Map<string, number[]>();
  private readonly inFlight = new Map<string, number>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: ProtectionOptions = {}) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Admits one request of `user` or throws ServiceProtectionError; call `release` when it is answered. */
  enter(user: string): () => void {
    const concurrency = this.options.concurrency;
    const active = this.inFlight.get(user) ?? 0;
    if (concurrency !== undefined && active >= concurrency) {
      throw new ServiceProtectionError(
        `Number of concurrent requests exceeded the limit of ${concurrency}.`,
        1,
        ErrorCodes.ThrottledConcurrency,
      );
    }
    const limit = this.options.limit;
    if (limit) {
      const now = this.now();
      const windowMs = limit.windowSeconds * 1000;
      const times = (this.recent.get(user) ?? []).filter((t) => t > now - windowMs);
      if (times.length >= limit.requests) {
        this.recent.set(user, times);
        const oldest = times[0] ?? now;
        const retryAfter = Math.max(1, Math.ceil((oldest + windowMs - now) / 1000));
        throw new ServiceProtectionError(
          `Number of requests exceeded the limit of ${limit.requests} over time window of ${limit.windowSeconds} seconds.`,
          retryAfter,
          ErrorCodes.ThrottledRequests,
        );
      }
      times.push(now);
      this.recent.set(user, times);
    }
    this.inFlight.set(user, active + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(user) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(user);
      else this.inFlight.set(user, left);
    };
  }

  /** Requests left in the user's window, for `x-ms-ratelimit-burst-remaining-xrm-requests`. */
  remaining(user: string): number | undefined {
    const limit = this.options.limit;
    if (!limit) return undefined;
    const now = this.now();
    const used = (this.recent.get(user) ?? []).filter((t) => t > now - limit.windowSeconds * 1000).length;
    return Math.max(0, limit.requests - used);
  }

  /** A status to answer instead of handling the request, when fault injection picks one. */
  fault(): number | undefined {
    for (const fault of this.options.faults ?? []) {
      if (this.random() < fault.probability) return fault.status;
    }
    return undefined;
  }
}
