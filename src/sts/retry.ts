// Retry only what can succeed on retry: throttling, server faults, network faults; capped, jittered backoff.
import { describeError } from '../errors.js';
import type { Clock } from '../ports.js';

/** What a retried call needs from the outside world; the run's clock, so tests need no fake timers. */
export type Pause = Pick<Clock, 'sleep' | 'random'>;

export interface Backoff {
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryPolicy extends Backoff {
  maxAttempts: number;
  /**
   * The scale for throttling errors. A throttled call means the account's STS rate is spent, often by
   * many jobs at once: retried on the scale of server faults (100 ms) they collide again and again
   * (and some run out of attempts), so they back off on a scale of seconds, as the AWS SDKs' standard
   * retry mode does for throttling (500 ms base, 20 s cap). A 2 s base spreads a burst of jobs over
   * the rate window in fewer rounds; a 10 s cap keeps the last of them from waiting long after the
   * rate frees up. See docs/benchmarks.md (`--load`) and scripts/bench/retry-sim.ts.
   */
  throttling?: Backoff;
}

export const DEFAULT_BACKOFF = { baseDelayMs: 100, maxDelayMs: 5000, throttling: { baseDelayMs: 2000, maxDelayMs: 10000 } } as const;

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
  'PriorRequestNotComplete'
]);
const TRANSIENT_CODES = new Set([
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'IDPCommunicationError',
  'IDPCommunicationErrorException'
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT'
]);

interface ErrorFacts {
  name?: unknown;
  code?: unknown;
  status?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  cause?: unknown;
}

/** The HTTP status an error carries, from the SDK's metadata or our own OIDC errors. */
export function httpStatus(error: unknown): number | undefined {
  const facts = (error ?? {}) as ErrorFacts;
  const status = facts.$metadata?.httpStatusCode ?? facts.status;
  return typeof status === 'number' ? status : undefined;
}

function errorNames(error: unknown): string[] {
  const facts = (error ?? {}) as ErrorFacts;
  return [facts.name, facts.code, (facts.cause as ErrorFacts | undefined)?.code].filter(n => typeof n === 'string');
}

/** Only what can succeed when tried again: throttling, server faults, network faults. */
export function isRetryable(error: unknown): boolean {
  if (isThrottling(error)) return true;
  if (errorNames(error).some(n => TRANSIENT_CODES.has(n) || NETWORK_CODES.has(n))) return true;
  const status = httpStatus(error);
  return status !== undefined && status >= 500;
}

/** The service asked us to slow down: a throttling error code, or HTTP 429. */
export function isThrottling(error: unknown): boolean {
  return errorNames(error).some(n => THROTTLING_CODES.has(n)) || httpStatus(error) === 429;
}

/** Full jitter: a uniform delay up to the capped exponential, so many throttled runs spread out. */
export function backoffDelay(failedAttempt: number, policy: Backoff, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempt - 1));
  return Math.floor(random() * ceiling);
}

export interface RetryOptions {
  what: string;
  policy: RetryPolicy;
  pause: Pause;
  log: (message: string) => void;
  /** Why a failure was not retried, for a person debugging the run. */
  debug?: (message: string) => void;
  retryable?: (error: unknown, attempt: number) => boolean;
}

export async function withRetry<T>(call: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const retryable = options.retryable ?? isRetryable;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      if (attempt >= options.policy.maxAttempts || !retryable(error, attempt)) {
        const why = attempt >= options.policy.maxAttempts ? `attempt ${attempt} was the last of ${options.policy.maxAttempts}` : 'not a throttling, server or network fault';
        options.debug?.(`${options.what}: ${describeError(error)}; not retried (${why})`);
        throw error;
      }
      const scale = isThrottling(error) ? (options.policy.throttling ?? options.policy) : options.policy;
      const delay = backoffDelay(attempt, scale, options.pause.random);
      options.log(`${options.what}: attempt ${attempt} of ${options.policy.maxAttempts} failed (${describeError(error)}); retrying in ${delay} ms`);
      await options.pause.sleep(delay);
    }
  }
}
