// Text from outside (STS and OIDC answers, inputs, paths from the environment) never becomes a
// workflow command, and answers that are not what they must be are refused before any use. In
// process against the stand-ins; the file's leak scan runs over every run as well.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestIdToken } from '../../src/oidc/token.js';
import type { Runtime } from '../../src/ports.js';
import { forgedCommands } from '../support/file-commands.ts';
import type { InProcessResult } from '../support/in-process.ts';
import { expectNoLeaks } from '../support/leaks.ts';
import type { AnswerFields } from '../support/sts-server.ts';
import { ACCOUNT, role, startWorld, USER, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterEach(() => {
  world.sts.clearFaults();
  world.oidc.clearFaults();
});
afterAll(() => world.close());

const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };
const BREAKS = { LF: '\n', CR: '\r', CRLF: '\r\n' } as const;

function worldSecrets(): string[] {
  return [USER.accessKeyId, USER.secretAccessKey, ...world.sts.sessions.flatMap(s => [s.accessKeyId, s.secretAccessKey, s.sessionToken]), ...world.oidc.issued.map(t => t.token)];
}

/** No forged command, and every secret in the log masked before it (the file's leak scan checks every run again). */
function expectSafeLog(result: InProcessResult): void {
  expect(forgedCommands(result.stdout)).toEqual([]);
  expectNoLeaks(
    result,
    worldSecrets().filter(secret => result.stdout.includes(secret))
  );
}

function mutate(fields: Partial<AnswerFields>): (answer: AnswerFields) => AnswerFields {
  return answer => ({ ...answer, ...fields });
}

describe('server text in retry log lines', () => {
  test.each(Object.entries(BREAKS))('an STS error message with %s and ::stop-commands:: stays on its line; masking goes on', async (_label, br) => {
    world.sts.addFault({
      kind: 'error',
      action: 'AssumeRoleWithWebIdentity',
      times: 1,
      status: 503,
      code: 'ServiceUnavailable',
      message: `down${br}::stop-commands::T${br}::set-output name=x::y`
    });
    const result = await world.run({ 'role-to-assume': role('gha-deploy') });
    expect(result.errors).toEqual([]);
    expect(result.stdout).toMatch(/AssumeRoleWithWebIdentity: attempt 1 of \d+ failed \(ServiceUnavailable: down ⏎ ::stop_commands::T ⏎ ::set-output name=x::y\)/);
    const session = world.sts.sessions.at(-1)!;
    expect(result.masks).toEqual(expect.arrayContaining([session.secretAccessKey, session.sessionToken]));
    expectSafeLog(result);
  });

  test('a GitHub OIDC endpoint error message with a line break and ::stop-commands:: stays on its line', async () => {
    world.oidc.addFault({ kind: 'status', status: 503, times: 1, body: JSON.stringify({ message: 'busy\n::stop-commands::T\n::save-state name=x::y' }) });
    const result = await world.run({ 'role-to-assume': role('gha-deploy') });
    expect(result.errors).toEqual([]);
    expect(result.stdout).toContain('GitHub OIDC token request: attempt 1 of');
    expect(result.state.x).toBeUndefined();
    expectSafeLog(result);
  });

  test('a legacy ##[command] in an STS error message is neutralised, wherever it is in the line', async () => {
    world.sts.addFault({ kind: 'error', action: 'AssumeRoleWithWebIdentity', times: 1, status: 500, code: 'InternalFailure', message: 'oops ##[stop-commands]T' });
    const result = await world.run({ 'role-to-assume': role('gha-deploy') });
    expect(result.errors).toEqual([]);
    expectSafeLog(result);
  });

  test('the final error quoting a refused role keeps the server text inside the annotation', async () => {
    world.sts.addFault({ kind: 'error', action: 'AssumeRoleWithWebIdentity', times: 1, status: 403, code: 'AccessDenied', message: 'no\n::stop-commands::T' });
    const result = await world.run({ 'role-to-assume': role('gha-deploy') });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain('AccessDenied: no\n: :stop_commands::T');
    expectSafeLog(result);
  });
});

describe('STS answers are checked for shape before use', () => {
  test.each(Object.entries(BREAKS))('an AssumedRoleUser ARN with %s and ::stop-commands:: is refused, never printed as a line', async (_label, br) => {
    world.sts.addFault({
      kind: 'answer',
      action: 'AssumeRoleWithWebIdentity',
      times: 1,
      mutate: answer => ({ ...answer, Arn: `${answer.Arn}${br}::stop-commands::T` })
    });
    const result = await world.run({ 'role-to-assume': role('gha-deploy') });
    expect(result.errors).toEqual([expect.stringMatching(/^AssumeRoleWithWebIdentity for .* failed: UnusableAnswer: AssumeRoleWithWebIdentity answered an AssumedRoleUser ARN that is not/)]);
    expect(result.env).toEqual({});
    expectSafeLog(result);
  });

  test('a hop whose AssumedRoleUser ARN carries a line break is refused (Hop 1 of 2 is never printed with it)', async () => {
    world.sts.addFault({ kind: 'answer', action: 'AssumeRole', times: 1, mutate: answer => ({ ...answer, Arn: `${answer.Arn}\n::stop-commands::T` }) });
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'role-chain': role('chained'), 'role-duration-seconds': '3600' });
    expect(result.errors).toEqual([expect.stringContaining('UnusableAnswer')]);
    expectSafeLog(result);
  });

  test('a GetCallerIdentity ARN with a line break is refused', async () => {
    world.sts.addFault({ kind: 'answer', action: 'GetCallerIdentity', times: 1, mutate: answer => ({ ...answer, Arn: `${answer.Arn}\r\n::stop-commands::T` }) });
    const result = await world.run(KEYS, { oidc: false });
    expect(result.errors).toEqual([expect.stringContaining('GetCallerIdentity answered an Arn that is not a principal of account')]);
    expect(result.env).toEqual({});
    expectSafeLog(result);
  });

  test('a GetCallerIdentity ARN with a legacy ##[ in its path (a valid IAM path) is printed neutralised', async () => {
    world.sts.addFault({ kind: 'answer', action: 'GetCallerIdentity', times: 1, mutate: mutate({ Arn: `arn:aws:iam::${ACCOUNT}:user/##[add-mask]x/ci` }) });
    const result = await world.run(KEYS, { oidc: false });
    expect(result.errors).toEqual([]);
    expect(result.stdout).toContain(`Verified with GetCallerIdentity: arn:aws:iam::${ACCOUNT}:user/## [add-mask]x/ci`);
    expectSafeLog(result);
  });

  test.each([
    ['not 12 digits', '1'],
    ['a line break', `${ACCOUNT}\n::stop-commands::T`]
  ])('a GetCallerIdentity account of %s is refused, and nothing like ::add-mask::1 is registered', async (_label, account) => {
    world.sts.addFault({ kind: 'answer', action: 'GetCallerIdentity', times: 1, mutate: mutate({ Account: account }) });
    const result = await world.run({ ...KEYS, 'mask-aws-account-id': 'true' }, { oidc: false });
    expect(result.errors).toEqual([expect.stringContaining('GetCallerIdentity answered an Account that is not 12 digits')]);
    expect(result.masks).not.toContain('1');
    expectSafeLog(result);
  });

  test("the source credentials' account that completes a bare role name is checked (role-to-assume 'x' is …)", async () => {
    world.sts.addFault({ kind: 'answer', action: 'GetCallerIdentity', times: 1, mutate: mutate({ Account: `${ACCOUNT}\n::stop-commands::T` }) });
    const result = await world.run({ ...KEYS, 'role-to-assume': 'ci-deploy' }, { oidc: false });
    expect(result.errors).toEqual([expect.stringContaining('UnusableAnswer')]);
    expect(result.stdout).not.toContain("role-to-assume 'ci-deploy' is");
    expectSafeLog(result);
  });

  test.each([
    ['a SecretAccessKey with a line break', { SecretAccessKey: 'abcdEFGH1234abcdEFGH\n[evil]\nx=1' }, 'SecretAccessKey'],
    ['an AccessKeyId with a line break', { AccessKeyId: 'ASIA0123456789ABCDEF\n::stop-commands::T' }, 'AccessKeyId'],
    ['a SessionToken with a quote', { SessionToken: 'IQoJb3JpZ2luX2Vj"; rm -rf /' }, 'SessionToken'],
    ['an Expiration in the past', { Expiration: '2001-01-01T00:00:00Z' }, 'expired'],
    ['no Expiration', { Expiration: undefined }, 'Expiration']
  ])('%s is refused before any sink (env, outputs, files)', async (_label, fields, named) => {
    world.sts.addFault({ kind: 'answer', action: 'AssumeRoleWithWebIdentity', times: 1, mutate: mutate(fields) });
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'output-credentials': 'true', 'aws-profile': 'dev' });
    expect(result.errors).toEqual([expect.stringContaining(named)]);
    expect(result.env).toEqual({});
    expect(result.outputs).toEqual({});
    expect(existsSync(join(result.home, '.aws', 'credentials'))).toBe(false);
    expectSafeLog(result);
  });
});

describe('STS answers that are not XML', () => {
  test('a 200 whose body is not XML is refused as an unusable answer, without the SDK noise, and not retried', async () => {
    world.sts.addFault({ kind: 'answer', action: 'AssumeRoleWithWebIdentity', times: 1, body: 'not xml\n::stop-commands::T\n' });
    const calls = world.sts.calls.length;
    const result = await world.run({ 'role-to-assume': role('gha-deploy') });
    expect(result.errors).toEqual([
      'AssumeRoleWithWebIdentity for arn:aws:iam::111122223333:role/gha-deploy failed: UnusableAnswer: STS answered HTTP 200 with a body that is not an STS answer (not XML of the expected shape); refusing it'
    ]);
    expect(world.sts.calls.length - calls).toBe(1);
    expect(result.env).toEqual({});
    expectSafeLog(result);
  });
});

describe('GitHub OIDC answers are checked for shape before use', () => {
  test('a token that is not a JWT is refused, never sent to STS', async () => {
    world.oidc.addFault({ kind: 'status', status: 200, times: 1, body: JSON.stringify({ value: 'not-a-jwt\n::stop-commands::T' }) });
    const calls = world.sts.calls.length;
    const result = await world.run({ 'role-to-assume': role('gha-deploy') });
    expect(result.errors).toEqual([expect.stringContaining('answered a value that is not a JWT')]);
    expect(world.sts.calls.length).toBe(calls);
    expectSafeLog(result);
  });
});

describe('inputs and environment paths printed in the Plan line', () => {
  test('a role ARN path and an audience holding ##[ are printed neutralised', async () => {
    const result = await world.run({ 'role-to-assume': `arn:aws:iam::${ACCOUNT}:role/##[stop-commands]x/gha-deploy`, audience: '##[add-mask]sts' });
    expect(result.stdout).toMatch(/^Plan: .*\(audience ## \[add-mask\]sts\).*role\/## \[stop_commands\]x\/gha-deploy/m);
    expectSafeLog(result);
  });

  test('AWS_CONFIG_FILE with a line break and ::stop-commands:: stays on the Plan line', async () => {
    const home = mkdtempSync(join(tmpdir(), 'aws-assume-role-hostile-'));
    const result = await world.run(
      { 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true', 'aws-profile': 'default' },
      { home, env: { AWS_CONFIG_FILE: join(home, 'x\n::stop-commands::T\n##[set-output name=a]b', 'config') } }
    );
    expect(result.stdout).toMatch(/^Plan: .* ⏎ ::stop_commands::T ⏎ ## \[set-output name=a\]b\/config/m);
    expectSafeLog(result);
  });
});

describe('every request has a total deadline and a size cap', () => {
  // Real time here (the stand-ins drip for real), so the deadline is cut to 1 s through the ports.
  const DEADLINE_MS = 1000;
  const shortDeadlines = (rt: Runtime): Runtime => ({
    ...rt,
    connectSts: connection => rt.connectSts({ ...connection, requestTimeoutMs: DEADLINE_MS }),
    requestIdToken: (endpoint, audience) => requestIdToken({ url: endpoint.url, bearer: endpoint.bearer, audience, timeoutMs: DEADLINE_MS })
  });

  test('an STS answer dripped a byte at a time is cut off at the deadline and retried like a timeout', async () => {
    world.sts.addFault({ kind: 'drip', action: 'AssumeRoleWithWebIdentity', times: 1, intervalMs: 200 });
    const result = await world.run({ 'role-to-assume': role('gha-deploy') }, { adapt: shortDeadlines });
    expect(result.errors).toEqual([]);
    expect(result.stdout).toContain('AssumeRoleWithWebIdentity: attempt 1 of 12 failed (TimeoutError: no complete answer within 1 s)');
    expect(result.clock.sleeps).toHaveLength(1);
    expectSafeLog(result);
  });

  test('STS dripping on every attempt: the run fails after exactly retry-max-attempts deadlines', async () => {
    world.sts.addFault({ kind: 'drip', action: 'AssumeRoleWithWebIdentity', times: 2, intervalMs: 200 });
    const calls = world.sts.calls.length;
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'retry-max-attempts': '2' }, { adapt: shortDeadlines });
    expect(result.errors).toEqual([expect.stringContaining('TimeoutError: no complete answer within 1 s')]);
    expect(world.sts.calls.length - calls).toBe(2);
    expect(result.clock.sleeps).toHaveLength(1);
  });

  test('a GitHub OIDC answer dripped a byte at a time is cut off at the deadline and retried', async () => {
    world.oidc.addFault({ kind: 'drip', intervalMs: 200, times: 1 });
    const result = await world.run({ 'role-to-assume': role('gha-deploy') }, { adapt: shortDeadlines });
    expect(result.errors).toEqual([]);
    expect(result.stdout).toMatch(/GitHub OIDC token request: attempt 1 of 12 failed \(ETIMEDOUT: no complete answer within 1 s\)/);
    expectSafeLog(result);
  });

  test('a 50 MB STS answer is refused after 64 KiB, and not retried', async () => {
    world.sts.addFault({ kind: 'flood', action: 'AssumeRoleWithWebIdentity', times: 1, bytes: 50 * 1024 * 1024 });
    const calls = world.sts.calls.length;
    const result = await world.run({ 'role-to-assume': role('gha-deploy') });
    expect(result.errors).toEqual([expect.stringContaining('STS answered more than 64 KiB; refusing to read it')]);
    expect(world.sts.calls.length - calls).toBe(1);
  });

  test('a 50 MB GitHub OIDC answer is refused after 64 KiB, and not retried', async () => {
    world.oidc.addFault({ kind: 'flood', bytes: 50 * 1024 * 1024, times: 1 });
    const requests = world.oidc.requests;
    const result = await world.run({ 'role-to-assume': role('gha-deploy') });
    expect(result.errors).toEqual([expect.stringContaining('answered more than 64 KiB; refusing to read it')]);
    expect(world.oidc.requests - requests).toBe(1);
  });

  test('a web-identity-token-file larger than 64 KiB is refused before it is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aws-assume-role-token-'));
    const path = join(dir, 'token');
    writeFileSync(path, 'a'.repeat(1024 * 1024));
    const calls = world.sts.calls.length;
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'web-identity-token-file': path }, { oidc: false });
    expect(result.errors).toEqual([expect.stringContaining('is 1048576 bytes; a web identity token is at most 64 KiB')]);
    expect(world.sts.calls.length).toBe(calls);
  });
});
