// Faults of STS and of GitHub's OIDC token endpoint, run in process: each case's outcome, the exact
// calls it may cost and the backoff schedule it slept, read from the fake clock (never wall time).
// Each case counts exactly its own calls. Request timeouts are real socket timeouts: here they are
// shortened through the runtime's ports (the step's own 10 s is shown once by the built bundle,
// e2e/timeouts.test.ts).
import { requestIdToken } from '../../src/oidc/token.js';
import { SPECIAL_CHARACTER_ATTEMPTS } from '../../src/credentials/assume.js';
import type { Clock, Runtime } from '../../src/ports.js';
import type { AssumedSession, Sts } from '../../src/types.js';
import { proxyAgent } from '../../src/sts/connection.js';
import { fakeClock, type FakeClock, type InProcessResult } from '../support/in-process.ts';
import type { OidcFault, OidcOptions } from '../support/oidc-server.ts';
import type { Fault, StsAction, StsOptions } from '../support/sts-server.ts';
import { ACCOUNT, OTHER_ACCOUNT, USER, role, startWorld, type World } from '../support/world.ts';

/** Calls per action; a matcher where the count is not fixed (a token bucket's refill timing). */
type Calls = Partial<Record<StsAction, unknown>>;

interface FaultCase {
  label: string;
  inputs: Record<string, string>;
  world?: { sts?: StsOptions; oidc?: OidcOptions };
  sts?: Fault[];
  oidc?: OidcFault[];
  /** Per-request timeout for STS and the token endpoint, instead of the step's 10 s. */
  requestTimeoutMs?: number;
  /** A clock of the case's own (the token bucket refills in real time). */
  clock?: () => FakeClock;
  expected: {
    exit: 0 | 1;
    /** The one error (exit 1). */
    error?: RegExp;
    calls: Calls;
    /** Requests to the OIDC token endpoint, and tokens it issued. */
    oidc: { requests: number; tokens: number };
    /** Every backoff slept, in order (the fake clock's random() is 0.5: half of each ceiling). */
    sleeps: unknown;
  };
  /** Further checks on what the world saw. */
  check?: (world: World, result: InProcessResult) => void;
}

const OIDC = { 'role-to-assume': role('gha-deploy') };
const KEYS = { 'role-to-assume': role('ci-deploy'), 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };
const OK_OIDC: Calls = { AssumeRoleWithWebIdentity: 1, GetCallerIdentity: 1 };
const ONE_TOKEN = { requests: 1, tokens: 1 };
const NO_OIDC = { requests: 0, tokens: 0 };
// Short timeouts keep the timeout cases quick; a delay well beyond one is never answered in time.
const SHORT_TIMEOUT_MS = 500;
const BEYOND_TIMEOUT_MS = 5_000;
// Full jitter with random() = 0.5: half the capped exponential (src/sts/retry.ts DEFAULT_BACKOFF).
const THROTTLE = [1000, 2000, 4000];
const SERVER = [50, 100, 200];

const stsFault = (action: StsAction, times: number, status: number, code: string, message?: string): Fault => ({
  kind: 'error',
  action,
  times,
  status,
  code,
  ...(message === undefined ? {} : { message })
});

/** A fake clock whose backoffs also let a little real time pass, for a stand-in that refills in real time. */
function refillingClock(): FakeClock {
  const clock = fakeClock();
  const sleep: Clock['sleep'] = async (ms, signal) => {
    if (signal === undefined) await new Promise(resolve => setTimeout(resolve, 100));
    return clock.sleep(ms, signal);
  };
  return { ...clock, sleeps: clock.sleeps, sleep };
}

const CASES: FaultCase[] = [
  // ---- throttling and server errors: retried with backoff, within the attempt budget
  {
    label: 'Throttling 3 times, then success: three backoffs on the throttling scale',
    inputs: OIDC,
    sts: [stsFault('AssumeRoleWithWebIdentity', 3, 400, 'Throttling', 'Rate exceeded')],
    expected: { exit: 0, calls: { AssumeRoleWithWebIdentity: 4, GetCallerIdentity: 1 }, oidc: ONE_TOKEN, sleeps: THROTTLE }
  },
  {
    label: 'Throttling beyond retry-max-attempts 4: four calls, three backoffs, then the failure',
    inputs: { ...OIDC, 'retry-max-attempts': '4' },
    sts: [stsFault('AssumeRoleWithWebIdentity', 50, 400, 'Throttling', 'Rate exceeded')],
    expected: { exit: 1, error: /^AssumeRoleWithWebIdentity for .*gha-deploy failed: Throttling: Rate exceeded$/, calls: { AssumeRoleWithWebIdentity: 4 }, oidc: ONE_TOKEN, sleeps: THROTTLE }
  },
  {
    label: 'Throttling with the default budget: the backoff is capped at 10 s, twelve calls in all',
    inputs: OIDC,
    sts: [stsFault('AssumeRoleWithWebIdentity', 50, 400, 'Throttling', 'Rate exceeded')],
    expected: { exit: 1, error: /failed: Throttling: Rate exceeded$/, calls: { AssumeRoleWithWebIdentity: 12 }, oidc: ONE_TOKEN, sleeps: [...THROTTLE, ...Array<number>(8).fill(5000)] }
  },
  {
    label: 'rate limited by the service itself (token bucket), then success',
    inputs: OIDC,
    world: { sts: { rateLimit: { perSecond: 4, burst: 1 } } },
    clock: refillingClock,
    expected: { exit: 0, calls: { AssumeRoleWithWebIdentity: 1, GetCallerIdentity: expect.any(Number) }, oidc: ONE_TOKEN, sleeps: expect.any(Array) },
    check: (world, result) => {
      const verify = world.sts.calls.filter(call => call.action === 'GetCallerIdentity');
      expect(verify.length).toBeGreaterThanOrEqual(2);
      expect(verify.slice(0, -1).every(call => call.code === 'Throttling')).toBe(true);
      // One backoff per throttled call, each on the throttling scale.
      expect(result.clock.sleeps).toEqual(THROTTLE.concat(Array<number>(12).fill(5000)).slice(0, verify.length - 1));
    }
  },
  {
    label: '500 InternalFailure twice on AssumeRole, then success',
    inputs: KEYS,
    sts: [stsFault('AssumeRole', 2, 500, 'InternalFailure')],
    expected: { exit: 0, calls: { AssumeRole: 3, GetCallerIdentity: 1 }, oidc: NO_OIDC, sleeps: SERVER.slice(0, 2) }
  },
  {
    label: '503 ServiceUnavailable twice on GetCallerIdentity, then success',
    inputs: OIDC,
    sts: [stsFault('GetCallerIdentity', 2, 503, 'ServiceUnavailable')],
    expected: { exit: 0, calls: { AssumeRoleWithWebIdentity: 1, GetCallerIdentity: 3 }, oidc: ONE_TOKEN, sleeps: SERVER.slice(0, 2) }
  },
  {
    label: '503 on every call with retry-max-attempts 3: three calls, then the failure',
    inputs: { ...KEYS, 'retry-max-attempts': '3' },
    sts: [stsFault('AssumeRole', 50, 503, 'ServiceUnavailable')],
    expected: { exit: 1, error: /^AssumeRole for .*ci-deploy failed: ServiceUnavailable: /, calls: { AssumeRole: 3 }, oidc: NO_OIDC, sleeps: SERVER.slice(0, 2) }
  },
  {
    label: '500 on every call with retry-max-attempts 2: two calls, then the failure',
    inputs: { ...OIDC, 'retry-max-attempts': '2' },
    sts: [stsFault('AssumeRoleWithWebIdentity', 10, 500, 'InternalFailure')],
    expected: { exit: 1, error: /failed: InternalFailure: /, calls: { AssumeRoleWithWebIdentity: 2 }, oidc: ONE_TOKEN, sleeps: SERVER.slice(0, 1) }
  },
  {
    label: 'IDPCommunicationError twice (STS could not reach the IdP), then success',
    inputs: OIDC,
    sts: [stsFault('AssumeRoleWithWebIdentity', 2, 400, 'IDPCommunicationError', 'The IdP could not be reached')],
    expected: { exit: 0, calls: { AssumeRoleWithWebIdentity: 3, GetCallerIdentity: 1 }, oidc: ONE_TOKEN, sleeps: SERVER.slice(0, 2) }
  },
  {
    label: '500 with disable-retry: one call, no backoff',
    inputs: { ...OIDC, 'disable-retry': 'true' },
    sts: [stsFault('AssumeRoleWithWebIdentity', 5, 500, 'InternalFailure')],
    expected: { exit: 1, error: /failed: InternalFailure: /, calls: { AssumeRoleWithWebIdentity: 1 }, oidc: ONE_TOKEN, sleeps: [] }
  },
  // ---- the network
  {
    label: 'connection dropped once on AssumeRoleWithWebIdentity, then success',
    inputs: OIDC,
    sts: [{ kind: 'drop', action: 'AssumeRoleWithWebIdentity', times: 1 }],
    expected: { exit: 0, calls: { AssumeRoleWithWebIdentity: 2, GetCallerIdentity: 1 }, oidc: ONE_TOKEN, sleeps: SERVER.slice(0, 1) }
  },
  {
    label: 'connection dropped once on GetCallerIdentity, then success',
    inputs: OIDC,
    sts: [{ kind: 'drop', action: 'GetCallerIdentity', times: 1 }],
    expected: { exit: 0, calls: { AssumeRoleWithWebIdentity: 1, GetCallerIdentity: 2 }, oidc: ONE_TOKEN, sleeps: SERVER.slice(0, 1) }
  },
  {
    label: 'connection dropped on every call with disable-retry: one call',
    inputs: { ...KEYS, 'disable-retry': 'true' },
    sts: [{ kind: 'drop', action: 'AssumeRole', times: 50 }],
    expected: { exit: 1, error: /^AssumeRole for .*ci-deploy failed: .*(socket hang up|ECONNRESET)/, calls: { AssumeRole: 1 }, oidc: NO_OIDC, sleeps: [] }
  },
  {
    label: 'slow STS within the request timeout: one call, success',
    inputs: OIDC,
    sts: [{ kind: 'delay', action: 'AssumeRoleWithWebIdentity', times: 1, ms: 200 }],
    expected: { exit: 0, calls: OK_OIDC, oidc: ONE_TOKEN, sleeps: [] }
  },
  {
    label: 'STS slower than the request timeout, disable-retry: one call, given up at the timeout',
    inputs: { ...OIDC, 'disable-retry': 'true' },
    requestTimeoutMs: SHORT_TIMEOUT_MS,
    sts: [{ kind: 'delay', action: 'AssumeRoleWithWebIdentity', times: 1, ms: BEYOND_TIMEOUT_MS }],
    expected: { exit: 1, error: /^AssumeRoleWithWebIdentity for .*gha-deploy failed: TimeoutError: /, calls: { AssumeRoleWithWebIdentity: 1 }, oidc: ONE_TOKEN, sleeps: [] }
  },
  {
    label: 'STS slower than the request timeout once, retry-max-attempts 2: the retry succeeds',
    inputs: { ...OIDC, 'retry-max-attempts': '2' },
    requestTimeoutMs: SHORT_TIMEOUT_MS,
    sts: [{ kind: 'delay', action: 'AssumeRoleWithWebIdentity', times: 1, ms: BEYOND_TIMEOUT_MS }],
    expected: { exit: 0, calls: { AssumeRoleWithWebIdentity: 2, GetCallerIdentity: 1 }, oidc: ONE_TOKEN, sleeps: SERVER.slice(0, 1) }
  },
  // ---- GitHub's OIDC token endpoint
  {
    label: 'OIDC endpoint 500 once, then a token',
    inputs: OIDC,
    oidc: [{ kind: 'status', status: 500, times: 1 }],
    expected: { exit: 0, calls: OK_OIDC, oidc: { requests: 2, tokens: 1 }, sleeps: SERVER.slice(0, 1) }
  },
  {
    label: 'OIDC endpoint 503 every time, retry-max-attempts 3: three requests, no STS call',
    inputs: { ...OIDC, 'retry-max-attempts': '3' },
    oidc: [{ kind: 'status', status: 503, times: 50 }],
    expected: {
      exit: 1,
      error: /^Could not get a GitHub OIDC token for audience 'sts.amazonaws.com': IdTokenError: .*HTTP 503/,
      calls: {},
      oidc: { requests: 3, tokens: 0 },
      sleeps: SERVER.slice(0, 2)
    }
  },
  {
    label: 'OIDC endpoint 401: not retried',
    inputs: OIDC,
    oidc: [{ kind: 'status', status: 401, times: 50, body: '{"message":"Bad credentials"}' }],
    expected: { exit: 1, error: /^Could not get a GitHub OIDC token .*HTTP 401: Bad credentials$/, calls: {}, oidc: { requests: 1, tokens: 0 }, sleeps: [] }
  },
  {
    label: 'OIDC endpoint 403: not retried',
    inputs: OIDC,
    oidc: [{ kind: 'status', status: 403, times: 50 }],
    expected: { exit: 1, error: /HTTP 403/, calls: {}, oidc: { requests: 1, tokens: 0 }, sleeps: [] }
  },
  {
    label: 'OIDC endpoint 200 without a token: one request, a clear failure, no STS call',
    inputs: OIDC,
    oidc: [{ kind: 'status', status: 200, times: 50, body: '{"count":0}' }],
    expected: { exit: 1, error: /^Could not get a GitHub OIDC token .*answered without a token \(no "value" field\)$/, calls: {}, oidc: { requests: 1, tokens: 0 }, sleeps: [] }
  },
  {
    label: 'OIDC connection dropped once, then a token',
    inputs: OIDC,
    oidc: [{ kind: 'drop', times: 1 }],
    expected: { exit: 0, calls: OK_OIDC, oidc: { requests: 2, tokens: 1 }, sleeps: SERVER.slice(0, 1) }
  },
  {
    label: 'OIDC connection dropped every time, disable-retry: one request',
    inputs: { ...OIDC, 'disable-retry': 'true' },
    oidc: [{ kind: 'drop', times: 50 }],
    expected: { exit: 1, error: /^Could not get a GitHub OIDC token .*(socket hang up|ECONNRESET)/, calls: {}, oidc: { requests: 1, tokens: 0 }, sleeps: [] }
  },
  {
    label: 'OIDC endpoint slower than the request timeout, disable-retry: given up at the timeout',
    inputs: { ...OIDC, 'disable-retry': 'true' },
    requestTimeoutMs: SHORT_TIMEOUT_MS,
    oidc: [{ kind: 'delay', ms: BEYOND_TIMEOUT_MS, times: 1 }],
    expected: {
      exit: 1,
      error: new RegExp(`^Could not get a GitHub OIDC token .*ETIMEDOUT: no complete answer within ${SHORT_TIMEOUT_MS / 1000} s$`),
      calls: {},
      oidc: { requests: 1, tokens: 0 },
      sleeps: []
    }
  },
  {
    label: 'OIDC endpoint slower than the request timeout once, retry-max-attempts 2: the retry gets a token',
    inputs: { ...OIDC, 'retry-max-attempts': '2' },
    requestTimeoutMs: SHORT_TIMEOUT_MS,
    oidc: [{ kind: 'delay', ms: BEYOND_TIMEOUT_MS, times: 1 }],
    expected: { exit: 0, calls: OK_OIDC, oidc: { requests: 2, tokens: 1 }, sleeps: SERVER.slice(0, 1) }
  },
  // ---- tokens and signatures
  {
    label: 'ExpiredTokenException once: exactly one fresh token, then success',
    inputs: OIDC,
    sts: [stsFault('AssumeRoleWithWebIdentity', 1, 400, 'ExpiredTokenException', 'Token expired: current date/time must be before the expiration date/time')],
    expected: { exit: 0, calls: { AssumeRoleWithWebIdentity: 2, GetCallerIdentity: 1 }, oidc: { requests: 2, tokens: 2 }, sleeps: [] }
  },
  {
    label: 'tokens that are already expired (OIDC lifetime -60 s): one fresh token, then the failure, no loop',
    inputs: OIDC,
    world: { oidc: { lifetimeSeconds: -60 } },
    expected: {
      exit: 1,
      error: /^AssumeRoleWithWebIdentity for .*gha-deploy failed: ExpiredTokenException: Token expired/,
      calls: { AssumeRoleWithWebIdentity: 2 },
      oidc: { requests: 2, tokens: 2 },
      sleeps: []
    }
  },
  {
    label: 'clock skew on AssumeRole (signature not yet current): SignatureDoesNotMatch, one call',
    inputs: KEYS,
    // A negative tolerance puts every signature in the future: the runner's clock is ahead of STS's.
    world: { sts: { clockSkewSeconds: -60 } },
    expected: { exit: 1, error: /^AssumeRole for .*ci-deploy failed: SignatureDoesNotMatch: Signature not yet current/, calls: { AssumeRole: 1 }, oidc: NO_OIDC, sleeps: [] }
  },
  {
    label: 'clock skew on GetCallerIdentity after OIDC: SignatureDoesNotMatch, one call, nothing exported',
    inputs: OIDC,
    world: { sts: { clockSkewSeconds: -60 } },
    expected: { exit: 1, error: /^GetCallerIdentity for the new credentials failed: SignatureDoesNotMatch: Signature not yet current/, calls: OK_OIDC, oidc: ONE_TOKEN, sleeps: [] }
  },
  {
    label: 'SignatureDoesNotMatch (skewed clock, as STS words it) with 12 attempts allowed: one call',
    inputs: KEYS,
    sts: [stsFault('AssumeRole', 50, 403, 'SignatureDoesNotMatch', 'Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z (20260101T003000Z - 15 min.)')],
    expected: { exit: 1, error: /SignatureDoesNotMatch: Signature expired/, calls: { AssumeRole: 1 }, oidc: NO_OIDC, sleeps: [] }
  },
  {
    label: 'AccessDenied (the trust policy does not name the caller): one call, then GetCallerIdentity to explain who asked',
    inputs: { ...KEYS, 'role-to-assume': role('nobody') },
    expected: {
      exit: 1,
      error: /^AssumeRole for .*nobody failed: AccessDenied: User: .* is not authorized to perform: sts:AssumeRole/,
      calls: { AssumeRole: 1, GetCallerIdentity: 1 },
      oidc: NO_OIDC,
      sleeps: []
    }
  },
  {
    label: 'AccessDenied for a web identity (the sub does not match): one call',
    inputs: { 'role-to-assume': role('gha-other-repo') },
    expected: { exit: 1, error: /AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity$/m, calls: { AssumeRoleWithWebIdentity: 1 }, oidc: ONE_TOKEN, sleeps: [] }
  },
  {
    label: 'InvalidIdentityToken (a token from an unknown issuer): one call',
    inputs: OIDC,
    world: { oidc: { issuer: 'https://token.example.invalid' } },
    expected: {
      exit: 1,
      error: /InvalidIdentityToken(Exception)?: No OpenIDConnect provider found in your account for https:\/\/token.example.invalid$/m,
      calls: { AssumeRoleWithWebIdentity: 1 },
      oidc: ONE_TOKEN,
      sleeps: []
    }
  },
  {
    label: 'InvalidIdentityToken injected, 12 attempts allowed: one call',
    inputs: OIDC,
    sts: [stsFault('AssumeRoleWithWebIdentity', 50, 400, 'InvalidIdentityToken', 'Incorrect token audience')],
    expected: { exit: 1, error: /InvalidIdentityToken(Exception)?: Incorrect token audience$/m, calls: { AssumeRoleWithWebIdentity: 1 }, oidc: ONE_TOKEN, sleeps: [] }
  },
  {
    label: 'new credentials not yet known to GetCallerIdentity (InvalidClientTokenId twice): the grace retries succeed',
    inputs: OIDC,
    sts: [stsFault('GetCallerIdentity', 2, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.')],
    expected: { exit: 0, calls: { AssumeRoleWithWebIdentity: 1, GetCallerIdentity: 3 }, oidc: ONE_TOKEN, sleeps: SERVER.slice(0, 2) }
  },
  {
    label: 'InvalidClientTokenId once, then AccessDenied on GetCallerIdentity: the step fails, nothing exported',
    inputs: OIDC,
    sts: [
      stsFault('GetCallerIdentity', 1, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.'),
      stsFault('GetCallerIdentity', 5, 403, 'AccessDenied', 'denied')
    ],
    expected: {
      exit: 1,
      error: /^GetCallerIdentity for the new credentials failed: AccessDenied/,
      calls: { AssumeRoleWithWebIdentity: 1, GetCallerIdentity: 2 },
      oidc: ONE_TOKEN,
      sleeps: SERVER.slice(0, 1)
    }
  },
  {
    label: 'stored keys unknown to STS (InvalidClientTokenId): one call, no grace for them',
    inputs: { ...KEYS, 'aws-access-key-id': 'AKIAUNKNOWNKEY000000' },
    expected: { exit: 1, error: /^AssumeRole for .*ci-deploy failed: InvalidClientTokenId: /, calls: { AssumeRole: 1 }, oidc: NO_OIDC, sleeps: [] }
  }
];

function countCalls(world: World, since: number): Calls {
  const counts: Calls = {};
  for (const call of world.sts.calls.slice(since)) counts[call.action as StsAction] = ((counts[call.action as StsAction] as number | undefined) ?? 0) + 1;
  return counts;
}

/** The runtime with shorter per-request timeouts: the same clients and sockets, given up on sooner. */
function withRequestTimeout(ms: number) {
  return (rt: Runtime): Runtime => ({
    ...rt,
    connectSts: connection => rt.connectSts({ ...connection, requestTimeoutMs: ms }),
    requestIdToken: (endpoint, audience, proxy) => requestIdToken({ url: endpoint.url, bearer: endpoint.bearer, audience, timeoutMs: ms, agent: proxyAgent(new URL(endpoint.url), proxy) })
  });
}

// Cases without a world, a clock or a timeout of their own share one world (starting one costs an RSA
// key): their faults are cleared after each, and what they cost is counted from where they began.
// A case whose request is left pending (a timeout) always gets its own, so a late answer counts nowhere.
let shared: World;
beforeAll(async () => {
  shared = await startWorld();
});
afterAll(() => shared.close());

const needsOwnWorld = (c: FaultCase): boolean => c.world !== undefined || c.clock !== undefined || c.requestTimeoutMs !== undefined;

async function runCase(c: FaultCase): Promise<void> {
  const world = needsOwnWorld(c) ? await startWorld(c.world) : shared;
  const before = { calls: world.sts.calls.length, requests: world.oidc.requests, tokens: world.oidc.issued.length };
  try {
    for (const fault of c.sts ?? []) world.sts.addFault(fault);
    for (const fault of c.oidc ?? []) world.oidc.addFault(fault);
    const result = await world.run(c.inputs, {
      ...(c.clock ? { clock: c.clock() } : {}),
      ...(c.requestTimeoutMs === undefined ? {} : { adapt: withRequestTimeout(c.requestTimeoutMs) })
    });
    const e = c.expected;
    expect({
      exit: result.exitCode,
      errors: result.errors,
      calls: countCalls(world, before.calls),
      oidc: { requests: world.oidc.requests - before.requests, tokens: world.oidc.issued.length - before.tokens },
      sleeps: result.clock.sleeps,
      exported: Object.keys(result.env).length + Object.keys(result.outputs).length + Object.keys(result.state).length > 0
    }).toEqual({
      exit: e.exit,
      errors: e.exit === 1 ? [expect.stringMatching(e.error ?? /./)] : [],
      calls: e.calls,
      oidc: e.oidc,
      sleeps: e.sleeps,
      exported: e.exit === 0
    });
    expect(result.errors.join('')).not.toContain('Unexpected failure');
    if (e.exit === 0) expect(result.env.AWS_ACCESS_KEY_ID).toBe(world.sts.sessions.at(-1)?.accessKeyId);
    c.check?.(world, result);
  } finally {
    if (world === shared) {
      world.sts.clearFaults();
      world.oidc.clearFaults();
    } else {
      await world.close();
    }
  }
}

test.each(CASES.map(c => [c.label, c] as const))('%s', async (_label, c) => runCase(c));

describe('what a fault shows', () => {
  let world: World;
  beforeAll(() => {
    world = shared;
  });
  afterEach(() => {
    world.sts.clearFaults();
    world.oidc.clearFaults();
  });

  test('each retry is logged with its attempt, the budget, the reason and the backoff', async () => {
    world.sts.addFault(stsFault('AssumeRoleWithWebIdentity', 3, 400, 'Throttling', 'Rate exceeded'));
    const since = world.sts.calls.length;
    const result = await world.run(OIDC);
    expect(result.exitCode).toBe(0);
    expect(
      world.sts.calls
        .slice(since)
        .filter(c => c.action === 'AssumeRoleWithWebIdentity')
        .map(c => c.status)
    ).toEqual([400, 400, 400, 200]);
    expect(result.stdout).toContain('AssumeRoleWithWebIdentity: attempt 3 of 12 failed (Throttling: Rate exceeded); retrying in 4000 ms');
  });

  test('AccessDenied fails at once with the STS message and the role ARN; the diagnosis call is signed with the same keys', async () => {
    const since = world.sts.calls.length;
    const result = await world.run({ ...KEYS, 'role-to-assume': role('nobody') }, { oidc: false });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.split('\n')[0]).toBe(
      `AssumeRole for ${role('nobody')} failed: AccessDenied: User: ${USER.arn} is not authorized to perform: sts:AssumeRole on resource: ${role('nobody')}`
    );
    expect(world.sts.calls.slice(since).map(c => [c.action, c.accessKeyId])).toEqual([
      ['AssumeRole', USER.accessKeyId],
      ['GetCallerIdentity', USER.accessKeyId]
    ]);
    expect(result.clock.sleeps).toEqual([]);
    expect([result.env, result.outputs, result.state]).toEqual([{}, {}, {}]);
  });
});

// Answers a real STS should never give, made by changing what the Sts port returns: each must stop
// the run before anything is exported, since what was checked is not what would be used.
describe('answers that cannot be trusted', () => {
  const lying =
    (change: (sts: Sts) => Partial<Sts>) =>
    (rt: Runtime): Runtime => ({
      ...rt,
      connectSts(connection) {
        const sts = rt.connectSts(connection);
        return { ...sts, ...change(sts) };
      }
    });

  const withSpecialSecret = (s: AssumedSession): AssumedSession => ({ ...s, credentials: { ...s.credentials, secretAccessKey: `${s.credentials.secretAccessKey}+` } });

  test('GetCallerIdentity naming another identity than the session issued: refused, nothing exported', async () => {
    const other = `arn:aws:sts::${ACCOUNT}:assumed-role/someone-else/GitHubActions`;
    const result = await shared.run(OIDC, { adapt: lying(sts => ({ getCallerIdentity: async c => ({ ...(await sts.getCallerIdentity(c)), arn: other }) })) });
    expect(result.errors).toEqual([`GetCallerIdentity says these credentials are ${other}, but STS issued them for arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/GitHubActions`]);
    expect([result.env, result.outputs, result.state]).toEqual([{}, {}, {}]);
  });

  test('a chain hop answered with a session of another role: refused before it is verified or used', async () => {
    const since = shared.sts.calls.length;
    const target = role('deploy-target', OTHER_ACCOUNT);
    const wrong = `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/ungranted-target/GitHubActions`;
    const result = await shared.run(
      { 'role-to-assume': role('gha-hub'), 'role-chain': target },
      { adapt: lying(sts => ({ assumeRole: async (r, signer) => ({ ...(await sts.assumeRole(r, signer)), assumedRoleArn: wrong }) })) }
    );
    expect(result.errors).toEqual([`STS answered AssumeRole on ${target} with a session of another role: ${wrong}`]);
    expect(shared.sts.calls.slice(since).map(c => c.action)).toEqual(['AssumeRoleWithWebIdentity', 'AssumeRole']);
    expect([result.env, result.outputs, result.state]).toEqual([{}, {}, {}]);
  });

  test('special-characters-workaround: secrets that always have special characters end in one clear failure, within the budget', async () => {
    const since = shared.sts.calls.length;
    const result = await shared.run(
      { 'role-to-assume': role('gha-deploy'), 'special-characters-workaround': 'true' },
      { adapt: lying(sts => ({ assumeRoleWithWebIdentity: async (r, t) => withSpecialSecret(await sts.assumeRoleWithWebIdentity(r, t)) })) }
    );
    expect(result.errors).toEqual([expect.stringMatching(new RegExp(`^special-characters-workaround: ${SPECIAL_CHARACTER_ATTEMPTS} sessions in a row had special characters`))]);
    expect(shared.sts.calls.slice(since).filter(c => c.action === 'AssumeRoleWithWebIdentity')).toHaveLength(SPECIAL_CHARACTER_ATTEMPTS);
    expect([result.env, result.outputs, result.state]).toEqual([{}, {}, {}]);
  });

  test('use-existing-credentials with credentials that do not work: new ones are assumed, without a retry of the check', async () => {
    const since = shared.sts.calls.length;
    const stale = { AWS_ACCESS_KEY_ID: 'AKIASTALESTALESTALE1', AWS_SECRET_ACCESS_KEY: 'stale-secret-0123456789', AWS_SESSION_TOKEN: 'stale-token-0123456789' };
    const result = await shared.run({ ...OIDC, 'use-existing-credentials': 'true' }, { env: stale });
    expect(result.errors).toEqual([]);
    expect(result.stdout).toContain('use-existing-credentials: the credentials from the environment do not work; getting new ones');
    expect(shared.sts.calls.slice(since).map(c => c.action)).toEqual(['GetCallerIdentity', 'AssumeRoleWithWebIdentity', 'GetCallerIdentity']);
    expect(result.env.AWS_ACCESS_KEY_ID).toBe(shared.sts.sessions.at(-1)?.accessKeyId);
  });
});
