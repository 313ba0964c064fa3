// A matrix of faults of STS and of GitHub's OIDC token endpoint, each with its expected outcome, the
// exact calls it may cost and a bound on its time. Every case gets a world of its own, so counts are
// exactly its own and the slow cases (the 10 s request timeout) can run concurrently with the rest.
import type { OidcFault, OidcOptions } from '../support/oidc-server.ts';
import type { Fault, StsAction, StsOptions } from '../support/sts-server.ts';
import type { StepResult } from '../support/step-runner.ts';
import { USER, role, startWorld, type World } from '../support/world.ts';

/** Calls per action; a matcher where the count is not fixed (a token bucket's refill timing). */
type Calls = Partial<Record<StsAction, unknown>>;

interface FaultCase {
  label: string;
  inputs: Record<string, string>;
  world?: { sts?: StsOptions; oidc?: OidcOptions };
  sts?: Fault[];
  oidc?: OidcFault[];
  expected: {
    exit: 0 | 1;
    /** The one error (exit 1). */
    error?: RegExp;
    calls: Calls;
    /** Requests to the OIDC token endpoint, and tokens it issued. */
    oidc: { requests: number; tokens: number };
    maxMs: number;
    minMs?: number;
  };
  /** Spends most of its time waiting (timeouts): run it alongside the others. */
  slow?: boolean;
  /** Further checks on what the world saw. */
  check?: (world: World, result: StepResult) => void;
}

const OIDC = { 'role-to-assume': role('gha-deploy') };
const KEYS = { 'role-to-assume': role('ci-deploy'), 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };
const OK_OIDC: Calls = { AssumeRoleWithWebIdentity: 1, GetCallerIdentity: 1 };
const ONE_TOKEN = { requests: 1, tokens: 1 };
const NO_OIDC = { requests: 0, tokens: 0 };
// The client's per-request timeout (src/main.ts REQUEST_TIMEOUT_MS); a delay beyond it is never answered in time.
const REQUEST_TIMEOUT_MS = 10_000;
const BEYOND_TIMEOUT = REQUEST_TIMEOUT_MS + 3_000;
// Fail fast: one process start and one local round trip.
const FAST = 1_000;

const stsFault = (action: StsAction, times: number, status: number, code: string, message?: string): Fault => ({
  kind: 'error', action, times, status, code, ...(message === undefined ? {} : { message })
});

const CASES: FaultCase[] = [
  // ---- throttling and server errors: retried with backoff, within the attempt budget
  {
    label: 'Throttling 3 times, then success',
    slow: true,
    inputs: OIDC,
    sts: [stsFault('AssumeRoleWithWebIdentity', 3, 400, 'Throttling', 'Rate exceeded')],
    // Throttling backs off on a scale of seconds (2 s base, full jitter): at most 2 + 4 + 8 s here.
    expected: { exit: 0, calls: { AssumeRoleWithWebIdentity: 4, GetCallerIdentity: 1 }, oidc: ONE_TOKEN, maxMs: 16_000 }
  },
  {
    label: 'Throttling beyond retry-max-attempts 4: four calls, then the failure',
    slow: true,
    inputs: { ...OIDC, 'retry-max-attempts': '4' },
    sts: [stsFault('AssumeRoleWithWebIdentity', 50, 400, 'Throttling', 'Rate exceeded')],
    expected: { exit: 1, error: /^AssumeRoleWithWebIdentity for .*gha-deploy failed: Throttling: Rate exceeded$/, calls: { AssumeRoleWithWebIdentity: 4 }, oidc: ONE_TOKEN, maxMs: 16_000 }
  },
  {
    label: 'rate limited by the service itself (token bucket), then success',
    slow: true,
    inputs: OIDC,
    world: { sts: { rateLimit: { perSecond: 4, burst: 1 } } },
    expected: { exit: 0, calls: { AssumeRoleWithWebIdentity: 1, GetCallerIdentity: expect.any(Number) }, oidc: ONE_TOKEN, maxMs: 16_000 },
    check: world => {
      const verify = world.sts.calls.filter(call => call.action === 'GetCallerIdentity');
      expect(verify.length).toBeGreaterThanOrEqual(2);
      expect(verify.slice(0, -1).every(call => call.code === 'Throttling')).toBe(true);
    }
  },
  {
    label: '500 InternalFailure twice on AssumeRole, then success',
    inputs: KEYS,
    sts: [stsFault('AssumeRole', 2, 500, 'InternalFailure')],
    expected: { exit: 0, calls: { AssumeRole: 3, GetCallerIdentity: 1 }, oidc: NO_OIDC, maxMs: 3_000 }
  },
  {
    label: '503 ServiceUnavailable twice on GetCallerIdentity, then success',
    inputs: OIDC,
    sts: [stsFault('GetCallerIdentity', 2, 503, 'ServiceUnavailable')],
    expected: { exit: 0, calls: { AssumeRoleWithWebIdentity: 1, GetCallerIdentity: 3 }, oidc: ONE_TOKEN, maxMs: 3_000 }
  },
  {
    label: '503 on every call with retry-max-attempts 3: three calls, then the failure',
    inputs: { ...KEYS, 'retry-max-attempts': '3' },
    sts: [stsFault('AssumeRole', 50, 503, 'ServiceUnavailable')],
    expected: { exit: 1, error: /^AssumeRole for .*ci-deploy failed: ServiceUnavailable: /, calls: { AssumeRole: 3 }, oidc: NO_OIDC, maxMs: 3_000 }
  },
  {
    label: 'IDPCommunicationError twice (STS could not reach the IdP), then success',
    inputs: OIDC,
    sts: [stsFault('AssumeRoleWithWebIdentity', 2, 400, 'IDPCommunicationError', 'The IdP could not be reached')],
    expected: { exit: 0, calls: { AssumeRoleWithWebIdentity: 3, GetCallerIdentity: 1 }, oidc: ONE_TOKEN, maxMs: 3_000 }
  },
  {
    label: '500 with disable-retry: one call',
    inputs: { ...OIDC, 'disable-retry': 'true' },
    sts: [stsFault('AssumeRoleWithWebIdentity', 5, 500, 'InternalFailure')],
    expected: { exit: 1, error: /failed: InternalFailure: /, calls: { AssumeRoleWithWebIdentity: 1 }, oidc: ONE_TOKEN, maxMs: FAST }
  },
  // ---- the network
  {
    label: 'connection dropped once on AssumeRoleWithWebIdentity, then success',
    inputs: OIDC,
    sts: [{ kind: 'drop', action: 'AssumeRoleWithWebIdentity', times: 1 }],
    expected: { exit: 0, calls: { AssumeRoleWithWebIdentity: 2, GetCallerIdentity: 1 }, oidc: ONE_TOKEN, maxMs: 3_000 }
  },
  {
    label: 'connection dropped on every call with disable-retry: one call',
    inputs: { ...KEYS, 'disable-retry': 'true' },
    sts: [{ kind: 'drop', action: 'AssumeRole', times: 50 }],
    expected: { exit: 1, error: /^AssumeRole for .*ci-deploy failed: .*(socket hang up|ECONNRESET)/, calls: { AssumeRole: 1 }, oidc: NO_OIDC, maxMs: FAST }
  },
  {
    label: 'slow STS (1.5 s) within the request timeout: one call, success',
    inputs: OIDC,
    sts: [{ kind: 'delay', action: 'AssumeRoleWithWebIdentity', times: 1, ms: 1_500 }],
    expected: { exit: 0, calls: OK_OIDC, oidc: ONE_TOKEN, minMs: 1_500, maxMs: 4_000 }
  },
  {
    label: 'STS slower than the 10 s request timeout, disable-retry: one call, given up at the timeout',
    inputs: { ...OIDC, 'disable-retry': 'true' },
    sts: [{ kind: 'delay', action: 'AssumeRoleWithWebIdentity', times: 1, ms: BEYOND_TIMEOUT }],
    expected: { exit: 1, error: /^AssumeRoleWithWebIdentity for .*gha-deploy failed: TimeoutError: /, calls: { AssumeRoleWithWebIdentity: 1 }, oidc: ONE_TOKEN, minMs: REQUEST_TIMEOUT_MS, maxMs: BEYOND_TIMEOUT - 500 },
    slow: true
  },
  {
    label: 'STS slower than the request timeout once, retry-max-attempts 2: the retry succeeds',
    inputs: { ...OIDC, 'retry-max-attempts': '2' },
    sts: [{ kind: 'delay', action: 'AssumeRoleWithWebIdentity', times: 1, ms: BEYOND_TIMEOUT }],
    expected: { exit: 0, calls: { AssumeRoleWithWebIdentity: 2, GetCallerIdentity: 1 }, oidc: ONE_TOKEN, minMs: REQUEST_TIMEOUT_MS, maxMs: BEYOND_TIMEOUT },
    slow: true
  },
  // ---- GitHub's OIDC token endpoint
  {
    label: 'OIDC endpoint 500 once, then a token',
    inputs: OIDC,
    oidc: [{ kind: 'status', status: 500, times: 1 }],
    expected: { exit: 0, calls: OK_OIDC, oidc: { requests: 2, tokens: 1 }, maxMs: 3_000 }
  },
  {
    label: 'OIDC endpoint 503 every time, retry-max-attempts 3: three requests, no STS call',
    inputs: { ...OIDC, 'retry-max-attempts': '3' },
    oidc: [{ kind: 'status', status: 503, times: 50 }],
    expected: { exit: 1, error: /^Could not get a GitHub OIDC token for audience 'sts.amazonaws.com': IdTokenError: .*HTTP 503/, calls: {}, oidc: { requests: 3, tokens: 0 }, maxMs: 3_000 }
  },
  {
    label: 'OIDC endpoint 401: not retried',
    inputs: OIDC,
    oidc: [{ kind: 'status', status: 401, times: 50, body: '{"message":"Bad credentials"}' }],
    expected: { exit: 1, error: /^Could not get a GitHub OIDC token .*HTTP 401: Bad credentials$/, calls: {}, oidc: { requests: 1, tokens: 0 }, maxMs: FAST }
  },
  {
    label: 'OIDC endpoint 403: not retried',
    inputs: OIDC,
    oidc: [{ kind: 'status', status: 403, times: 50 }],
    expected: { exit: 1, error: /HTTP 403/, calls: {}, oidc: { requests: 1, tokens: 0 }, maxMs: FAST }
  },
  {
    label: 'OIDC connection dropped once, then a token',
    inputs: OIDC,
    oidc: [{ kind: 'drop', times: 1 }],
    expected: { exit: 0, calls: OK_OIDC, oidc: { requests: 2, tokens: 1 }, maxMs: 3_000 }
  },
  {
    label: 'OIDC connection dropped every time, disable-retry: one request',
    inputs: { ...OIDC, 'disable-retry': 'true' },
    oidc: [{ kind: 'drop', times: 50 }],
    expected: { exit: 1, error: /^Could not get a GitHub OIDC token .*(socket hang up|ECONNRESET)/, calls: {}, oidc: { requests: 1, tokens: 0 }, maxMs: FAST }
  },
  {
    label: 'OIDC endpoint slower than the 10 s request timeout, disable-retry: given up at the timeout',
    inputs: { ...OIDC, 'disable-retry': 'true' },
    oidc: [{ kind: 'delay', ms: BEYOND_TIMEOUT, times: 1 }],
    expected: { exit: 1, error: /^Could not get a GitHub OIDC token .*ETIMEDOUT: no complete answer within 10 s$/, calls: {}, oidc: { requests: 1, tokens: 0 }, minMs: REQUEST_TIMEOUT_MS, maxMs: BEYOND_TIMEOUT - 500 },
    slow: true
  },
  {
    label: 'OIDC endpoint slower than the request timeout once, retry-max-attempts 2: the retry gets a token',
    inputs: { ...OIDC, 'retry-max-attempts': '2' },
    oidc: [{ kind: 'delay', ms: BEYOND_TIMEOUT, times: 1 }],
    expected: { exit: 0, calls: OK_OIDC, oidc: { requests: 2, tokens: 1 }, minMs: REQUEST_TIMEOUT_MS, maxMs: BEYOND_TIMEOUT },
    slow: true
  },
  // ---- tokens and signatures
  {
    label: 'ExpiredTokenException once: exactly one fresh token, then success',
    inputs: OIDC,
    sts: [stsFault('AssumeRoleWithWebIdentity', 1, 400, 'ExpiredTokenException', 'Token expired: current date/time must be before the expiration date/time')],
    expected: { exit: 0, calls: { AssumeRoleWithWebIdentity: 2, GetCallerIdentity: 1 }, oidc: { requests: 2, tokens: 2 }, maxMs: 3_000 }
  },
  {
    label: 'tokens that are already expired (OIDC lifetime -60 s): one fresh token, then the failure, no loop',
    inputs: OIDC,
    world: { oidc: { lifetimeSeconds: -60 } },
    expected: { exit: 1, error: /^AssumeRoleWithWebIdentity for .*gha-deploy failed: ExpiredTokenException: Token expired/, calls: { AssumeRoleWithWebIdentity: 2 }, oidc: { requests: 2, tokens: 2 }, maxMs: 2_000 }
  },
  {
    label: 'clock skew on AssumeRole (signature not yet current): SignatureDoesNotMatch, one call',
    inputs: KEYS,
    // A negative tolerance puts every signature in the future: the runner's clock is ahead of STS's.
    world: { sts: { clockSkewSeconds: -60 } },
    expected: { exit: 1, error: /^AssumeRole for .*ci-deploy failed: SignatureDoesNotMatch: Signature not yet current/, calls: { AssumeRole: 1 }, oidc: NO_OIDC, maxMs: FAST }
  },
  {
    label: 'clock skew on GetCallerIdentity after OIDC: SignatureDoesNotMatch, one call, nothing exported',
    inputs: OIDC,
    world: { sts: { clockSkewSeconds: -60 } },
    expected: { exit: 1, error: /^GetCallerIdentity for the new credentials failed: SignatureDoesNotMatch: Signature not yet current/, calls: OK_OIDC, oidc: ONE_TOKEN, maxMs: FAST }
  },
  {
    label: 'SignatureDoesNotMatch (skewed clock, as STS words it) with 12 attempts allowed: one call',
    inputs: KEYS,
    sts: [stsFault('AssumeRole', 50, 403, 'SignatureDoesNotMatch', 'Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z (20260101T003000Z - 15 min.)')],
    expected: { exit: 1, error: /SignatureDoesNotMatch: Signature expired/, calls: { AssumeRole: 1 }, oidc: NO_OIDC, maxMs: FAST }
  },
  {
    label: 'AccessDenied (the trust policy does not name the caller): one call, then GetCallerIdentity to explain who asked',
    inputs: { ...KEYS, 'role-to-assume': role('nobody') },
    expected: { exit: 1, error: /^AssumeRole for .*nobody failed: AccessDenied: User: .* is not authorized to perform: sts:AssumeRole/, calls: { AssumeRole: 1, GetCallerIdentity: 1 }, oidc: NO_OIDC, maxMs: FAST }
  },
  {
    label: 'AccessDenied for a web identity (the sub does not match): one call',
    inputs: { 'role-to-assume': role('gha-other-repo') },
    expected: { exit: 1, error: /AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity$/m, calls: { AssumeRoleWithWebIdentity: 1 }, oidc: ONE_TOKEN, maxMs: FAST }
  },
  {
    label: 'InvalidIdentityToken (a token from an unknown issuer): one call',
    inputs: OIDC,
    world: { oidc: { issuer: 'https://token.example.invalid' } },
    expected: { exit: 1, error: /InvalidIdentityToken(Exception)?: No OpenIDConnect provider found in your account for https:\/\/token.example.invalid$/m, calls: { AssumeRoleWithWebIdentity: 1 }, oidc: ONE_TOKEN, maxMs: FAST }
  },
  {
    label: 'InvalidIdentityToken injected, 12 attempts allowed: one call',
    inputs: OIDC,
    sts: [stsFault('AssumeRoleWithWebIdentity', 50, 400, 'InvalidIdentityToken', 'Incorrect token audience')],
    expected: { exit: 1, error: /InvalidIdentityToken(Exception)?: Incorrect token audience$/m, calls: { AssumeRoleWithWebIdentity: 1 }, oidc: ONE_TOKEN, maxMs: FAST }
  },
  {
    label: 'new credentials not yet known to GetCallerIdentity (InvalidClientTokenId twice): the grace retries succeed',
    inputs: OIDC,
    sts: [stsFault('GetCallerIdentity', 2, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.')],
    expected: { exit: 0, calls: { AssumeRoleWithWebIdentity: 1, GetCallerIdentity: 3 }, oidc: ONE_TOKEN, maxMs: 3_000 }
  },
  {
    label: 'stored keys unknown to STS (InvalidClientTokenId): one call, no grace for them',
    inputs: { ...KEYS, 'aws-access-key-id': 'AKIAUNKNOWNKEY000000' },
    expected: { exit: 1, error: /^AssumeRole for .*ci-deploy failed: InvalidClientTokenId: /, calls: { AssumeRole: 1 }, oidc: NO_OIDC, maxMs: FAST }
  }
];

function countCalls(world: World): Calls {
  const counts: Calls = {};
  for (const call of world.sts.calls) counts[call.action as StsAction] = ((counts[call.action as StsAction] as number | undefined) ?? 0) + 1;
  return counts;
}

interface Observed {
  exit: number | null;
  timedOut: boolean;
  errors: string[];
  calls: Calls;
  oidc: { requests: number; tokens: number };
  exported: boolean;
}

function observe(world: World, result: StepResult): Observed {
  return {
    exit: result.exitCode,
    timedOut: result.timedOut,
    errors: result.errors,
    calls: countCalls(world),
    oidc: { requests: world.oidc.requests, tokens: world.oidc.issued.length },
    exported: Object.keys(result.env).length + Object.keys(result.outputs).length + Object.keys(result.state).length > 0
  };
}

async function runCase(c: FaultCase): Promise<void> {
  const world = await startWorld(c.world);
  try {
    for (const fault of c.sts ?? []) world.sts.addFault(fault);
    for (const fault of c.oidc ?? []) world.oidc.addFault(fault);
    const result = await world.step(c.inputs, { timeoutMs: 30_000 });
    const e = c.expected;
    expect(observe(world, result)).toEqual({
      exit: e.exit,
      timedOut: false,
      errors: e.exit === 1 ? [expect.stringMatching(e.error ?? /./)] : [],
      calls: e.calls,
      oidc: e.oidc,
      exported: e.exit === 0
    });
    expect(result.errors.join('')).not.toContain('Unexpected failure');
    if (e.exit === 0) expect(result.env.AWS_ACCESS_KEY_ID).toBe(world.sts.sessions.at(-1)?.accessKeyId);
    c.check?.(world, result);
    expect(result.durationMs).toBeLessThan(e.maxMs);
    expect(result.durationMs).toBeGreaterThanOrEqual(e.minMs ?? 0);
  } finally {
    await world.close();
  }
}

test('every case bounds its time, and so the whole matrix, even in the worst case', () => {
  const serial = CASES.filter(c => !c.slow).reduce((sum, c) => sum + c.expected.maxMs, 0);
  const slowest = Math.max(...CASES.filter(c => c.slow).map(c => c.expected.maxMs));
  expect(Math.max(serial, slowest)).toBeLessThan(90_000); // worst case; typical is a few seconds plus one timeout
  expect(CASES.every(c => c.expected.maxMs > (c.expected.minMs ?? 0))).toBe(true);
});

test.each(CASES.filter(c => !c.slow).map(c => [c.label, c] as const))('%s', async (_label, c) => runCase(c));

// The slow cases mostly wait on a timeout. jest starts concurrent tests when the file starts and
// awaits each where it is declared: declared last, they wait while the serial cases run.
test.concurrent.each(CASES.filter(c => c.slow).map(c => [c.label, c] as const))('%s', async (_label, c) => runCase(c), 40_000);
