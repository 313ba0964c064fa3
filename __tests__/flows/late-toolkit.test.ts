// The main step loads @actions/core while STS answers, not at start-up (src/deferred-output.ts). Here
// every flow runs with its log writer loaded only when the run flushes, as the toolkit's chunk is: each
// must still succeed (the export refuses to run while a mask waits), print every line in order, and
// on failure still say why.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deferredOutput } from '../../src/deferred-output.js';
import type { Runtime } from '../../src/ports.js';
import { startContainerCredentials, type ContainerCredentialsServer } from '../support/container-credentials-server.ts';
import { registerSecretSource } from '../support/step-registry.ts';
import { ACCOUNT, USER, role, startWorld, type World } from '../support/world.ts';

let world: World;
let container: ContainerCredentialsServer;
beforeAll(async () => {
  world = await startWorld();
  const podSession = world.sts.mintSession(role('pod-runner'), 'eks-ci-runner-pod');
  container = await startContainerCredentials({ session: () => podSession });
  registerSecretSource(() => [container.authorizationToken]);
});
afterAll(() => Promise.all([world.close(), container.close()]));

/** The recording output, reachable only once the run flushes: what the toolkit's late load looks like to the flow. */
let loads = 0;
/** The STS calls started and the writer's load, in order. */
let events: string[] = [];
const lateToolkit = (rt: Runtime): Runtime => ({
  ...rt,
  out: deferredOutput(async () => {
    loads++;
    events.push('load');
    return rt.out;
  }),
  connectSts(connection) {
    const sts = rt.connectSts(connection);
    return {
      assumeRole: (...args) => (events.push('AssumeRole'), sts.assumeRole(...args)),
      assumeRoleWithWebIdentity: (...args) => (events.push('AssumeRoleWithWebIdentity'), sts.assumeRoleWithWebIdentity(...args)),
      getCallerIdentity: (...args) => (events.push('GetCallerIdentity'), sts.getCallerIdentity(...args))
    };
  }
});
const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };
const home = (): string => mkdtempSync(join(tmpdir(), 'late-toolkit-'));

beforeEach(() => {
  loads = 0;
  events = [];
});

test('OIDC: the session is masked, then exported, with the writer loaded once', async () => {
  const result = await world.run({ 'role-to-assume': role('gha-deploy') }, { adapt: lateToolkit });
  expect(result.errors).toEqual([]);
  const session = world.sts.sessions.at(-1)!;
  expect(result.env.AWS_SESSION_TOKEN).toBe(session.sessionToken);
  expect(result.stdout).toContain(`::add-mask::${session.sessionToken}`);
  expect(result.stdout.indexOf('Plan:')).toBeLessThan(result.stdout.indexOf(`::add-mask::${session.sessionToken}`));
  expect(loads).toBe(1);
});

test('the writer loads while STS answers the first call, never in front of it', async () => {
  const oidc = await world.run({ 'role-to-assume': role('gha-deploy') }, { adapt: lateToolkit });
  expect(oidc.errors).toEqual([]);
  expect(events).toEqual(['AssumeRoleWithWebIdentity', 'load', 'GetCallerIdentity']);
  events = [];
  const keys = await world.run({ 'role-to-assume': role('ci-deploy'), ...KEYS }, { oidc: false, adapt: lateToolkit });
  expect(keys.errors).toEqual([]);
  expect(events).toEqual(['AssumeRole', 'load', 'GetCallerIdentity']);
});

test('stored keys with session tags, and a profile written beside the environment', async () => {
  const dir = home();
  const result = await world.run(
    { 'role-to-assume': role('ci-deploy'), ...KEYS, 'aws-profile': 'ci', 'output-env-credentials': 'true' },
    { oidc: false, adapt: lateToolkit, home: dir, env: { HOME: dir } }
  );
  expect(result.errors).toEqual([]);
  expect(result.env.AWS_ACCESS_KEY_ID).toBe(world.sts.sessions.at(-1)?.accessKeyId);
});

test("refresh-credentials: the server's token is masked before the export that hands it to later steps", async () => {
  const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true' }, { adapt: lateToolkit });
  expect(result.errors).toEqual([]);
  const token = result.env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
  expect(token).toMatch(/^[\w-]{43}$/);
  expect(result.stdout).toContain(`::add-mask::${token}`);
});

test("only a region on an EKS runner: the runner's identity is reported and the region exported", async () => {
  const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: container.fullUri, AWS_CONTAINER_AUTHORIZATION_TOKEN: container.authorizationToken };
  const result = await world.run({}, { oidc: false, env, adapt: lateToolkit });
  expect(result.errors).toEqual([]);
  expect(result.outputs['aws-account-id']).toBe(ACCOUNT);
  expect(result.env).toEqual({ AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1' });
});

test('unset-current-credentials on its own blanks the variables', async () => {
  const result = await world.run({ 'unset-current-credentials': 'true', 'aws-region': '', 'sts-endpoint': '' }, { adapt: lateToolkit });
  expect(result.errors).toEqual([]);
  expect(result.env.AWS_ACCESS_KEY_ID).toBe('');
});

test('a refused role: the failure reaches the log once the writer is there, and nothing is exported', async () => {
  const result = await world.run({ 'role-to-assume': role('gha-other-repo') }, { adapt: lateToolkit });
  expect(result.errors.join('\n')).toMatch(/AccessDenied/);
  expect(result.env).toEqual({});
  expect(loads).toBe(1);
});

test('a bad input fails before any call, and still says so', async () => {
  const calls = world.sts.calls.length;
  const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'role-duration-seconds': 'one hour' }, { adapt: lateToolkit });
  expect(result.errors.join('\n')).toMatch(/role-duration-seconds/);
  expect(world.sts.calls.length).toBe(calls);
});
