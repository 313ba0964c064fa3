// Faults of STS and of GitHub's token endpoint: what is retried, what fails at once, and how fast.
import { USER, role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());
afterEach(() => {
  world.sts.clearFaults();
  world.oidc.clearFaults();
});

const callsOf = (action: string, since: number) => world.sts.calls.slice(since).filter(c => c.action === action);

test('throttled three times, then the role is assumed', async () => {
  const since = world.sts.calls.length;
  world.sts.addFault({ kind: 'error', action: 'AssumeRoleWithWebIdentity', times: 3, status: 400, code: 'Throttling', message: 'Rate exceeded' });
  const result = await world.step({ 'role-to-assume': role('gha-deploy') });
  expect(result.exitCode).toBe(0);
  expect(callsOf('AssumeRoleWithWebIdentity', since).map(c => c.status)).toEqual([400, 400, 400, 200]);
  expect(result.stdout).toMatch(/AssumeRoleWithWebIdentity: attempt 3 of 12 failed \(Throttling: Rate exceeded\); retrying in \d+ ms/);
});

test('503 twice, then success', async () => {
  const since = world.sts.calls.length;
  world.sts.addFault({ kind: 'error', action: 'AssumeRole', times: 2, status: 503, code: 'ServiceUnavailable' });
  const result = await world.step({ 'role-to-assume': role('ci-deploy'), 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey });
  expect(result.exitCode).toBe(0);
  expect(callsOf('AssumeRole', since).map(c => c.status)).toEqual([503, 503, 200]);
});

test('a dropped connection is retried', async () => {
  const since = world.sts.calls.length;
  world.sts.addFault({ kind: 'drop', action: 'GetCallerIdentity', times: 1 });
  const result = await world.step({ 'role-to-assume': role('gha-deploy') });
  expect(result.exitCode).toBe(0);
  expect(callsOf('GetCallerIdentity', since)).toHaveLength(2);
});

test('the OIDC endpoint failing once with 500 is retried', async () => {
  const before = world.oidc.requests;
  world.oidc.addFault({ kind: 'status', status: 500, times: 1 });
  const result = await world.step({ 'role-to-assume': role('gha-deploy') });
  expect(result.exitCode).toBe(0);
  expect(world.oidc.requests - before).toBe(2);
});

test('an expired OIDC token is replaced by a fresh one, once', async () => {
  const issued = world.oidc.issued.length;
  world.sts.addFault({ kind: 'error', action: 'AssumeRoleWithWebIdentity', times: 1, status: 400, code: 'ExpiredTokenException', message: 'Token expired: current date/time must be before the expiration date/time' });
  const result = await world.step({ 'role-to-assume': role('gha-deploy') });
  expect(result.exitCode).toBe(0);
  expect(world.oidc.issued.length - issued).toBe(2);
});

test('AccessDenied fails at once with STS message and the role ARN', async () => {
  const since = world.sts.calls.length;
  const result = await world.step({ 'role-to-assume': role('nobody'), 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey });
  expect(result.exitCode).toBe(1);
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]!.split('\n')[0]).toBe(
    `AssumeRole for ${role('nobody')} failed: AccessDenied: User: ${USER.arn} is not authorized to perform: sts:AssumeRole on resource: ${role('nobody')}`
  );
  expect(callsOf('AssumeRole', since)).toHaveLength(1);
  // The one extra call names the caller for the diagnosis, signed with the same keys.
  expect(callsOf('GetCallerIdentity', since).map(c => c.accessKeyId)).toEqual([USER.accessKeyId]);
  expect(result.durationMs).toBeLessThan(1000);
  expect(result.env).toEqual({});
});

test('a failing GetCallerIdentity fails the step and exports nothing', async () => {
  world.sts.addFault({ kind: 'error', action: 'GetCallerIdentity', times: 1, status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' });
  world.sts.addFault({ kind: 'error', action: 'GetCallerIdentity', times: 5, status: 403, code: 'AccessDenied', message: 'denied' });
  const result = await world.step({ 'role-to-assume': role('gha-deploy') });
  expect(result.exitCode).toBe(1);
  expect(result.errors).toEqual([expect.stringMatching(/^GetCallerIdentity for the new credentials failed: AccessDenied/)]);
  expect([result.env, result.outputs, result.state]).toEqual([{}, {}, {}]);
});

test('retry-max-attempts bounds the retries', async () => {
  const since = world.sts.calls.length;
  world.sts.addFault({ kind: 'error', action: 'AssumeRoleWithWebIdentity', times: 10, status: 500, code: 'InternalFailure' });
  const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'retry-max-attempts': '2' });
  expect(result.exitCode).toBe(1);
  expect(callsOf('AssumeRoleWithWebIdentity', since)).toHaveLength(2);
});
