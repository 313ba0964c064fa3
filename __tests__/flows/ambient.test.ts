// The runner's own AWS identity (self-hosted runners on EC2, ECS, EKS, CodeBuild), in process: the IMDS
// and container-credentials stand-ins serve sessions the STS stand-in minted for the runner's role, so
// STS checks every signature made with them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startContainerCredentials, type ContainerCredentialsServer } from '../support/container-credentials-server.ts';
import { startImds, type ImdsServer } from '../support/imds-server.ts';
import { registerSecretSource } from '../support/step-registry.ts';
import type { IssuedSession } from '../support/sts-server.ts';
import { ACCOUNT, OTHER_ACCOUNT, role, startWorld, type World } from '../support/world.ts';

let world: World;
let imds: ImdsServer;
let container: ContainerCredentialsServer;
let instanceSession: IssuedSession;
let podSession: IssuedSession;
const savedEndpoint = process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;

beforeAll(async () => {
  world = await startWorld();
  instanceSession = world.sts.mintSession(role('ec2-runner'), 'i-0123456789abcdef0');
  podSession = world.sts.mintSession(role('pod-runner'), 'eks-ci-runner-pod');
  imds = await startImds({ roleName: 'ec2-runner', session: () => instanceSession });
  container = await startContainerCredentials({ session: () => podSession });
  registerSecretSource(() => [...imds.tokens, container.authorizationToken]);
  // The SDK's instance-metadata provider reads its endpoint from the process environment itself (its API
  // takes none); a spawned step has it in its own environment (see e2e/ambient.test.ts).
  process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = imds.endpoint;
});
afterAll(async () => {
  if (savedEndpoint === undefined) delete process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
  else process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = savedEndpoint;
  await Promise.all([world.close(), imds.close(), container.close()]);
});
beforeEach(() => {
  imds.mode = 'ok';
  container.mode = 'ok';
});

/** An EC2 runner: instance metadata answers (the harness disables it for every other run). */
const ON_EC2 = { AWS_EC2_METADATA_DISABLED: undefined, RUNNER_ENVIRONMENT: 'self-hosted' };
/** An EKS pod with Pod Identity: the agent's URI and the token it mounts. */
const inPod = (): Record<string, string> => ({
  AWS_CONTAINER_CREDENTIALS_FULL_URI: container.fullUri,
  AWS_CONTAINER_AUTHORIZATION_TOKEN: container.authorizationToken
});
const INSTANCE_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/ec2-runner/i-0123456789abcdef0`;
const POD_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/pod-runner/eks-ci-runner-pod`;
const callsSince = (n: number) => world.sts.calls.slice(n).map(c => ({ action: c.action, key: c.accessKeyId }));

describe('role-chaining with no credentials in the environment', () => {
  test('on an EC2 runner: AssumeRole is signed by the instance role session, and the Plan line names both', async () => {
    const since = world.sts.calls.length;
    const result = await world.run({ 'role-to-assume': role('runner-deploy'), 'role-chaining': 'true' }, { oidc: false, env: ON_EC2 });
    expect(result.errors).toEqual([]);
    expect(result.stdout).toContain(`Plan: the runner's own AWS identity (EC2 instance role, verified as ${INSTANCE_ARN}) → AssumeRole ${role('runner-deploy')}`);
    const assumed = world.sts.sessions.at(-1)!;
    expect(callsSince(since)).toEqual([
      { action: 'GetCallerIdentity', key: instanceSession.accessKeyId },
      { action: 'AssumeRole', key: instanceSession.accessKeyId },
      { action: 'GetCallerIdentity', key: assumed.accessKeyId }
    ]);
    expect(result.env.AWS_ACCESS_KEY_ID).toBe(assumed.accessKeyId);
    expect(result.masks).toEqual(expect.arrayContaining([instanceSession.accessKeyId, instanceSession.secretAccessKey, instanceSession.sessionToken]));
    // IMDSv2: a token first, then the role listing and the role's credentials, each with the token.
    expect(imds.requests.slice(-3).map(r => `${r.method} ${r.path} ${r.token === undefined ? 'no token' : 'token'}`)).toEqual([
      'PUT /latest/api/token no token',
      'GET /latest/meta-data/iam/security-credentials/ token',
      'GET /latest/meta-data/iam/security-credentials/ec2-runner token'
    ]);
  });

  test('masks the runner credentials before the first line that could carry them', async () => {
    const result = await world.run({ 'role-to-assume': role('runner-deploy'), 'role-chaining': 'true' }, { oidc: false, env: ON_EC2 });
    const firstMask = result.stdout.indexOf(`::add-mask::${instanceSession.secretAccessKey}`);
    expect(firstMask).toBeGreaterThanOrEqual(0);
    expect(firstMask).toBeLessThan(result.stdout.indexOf('Plan:'));
  });

  test('a role name is completed in the runner identity account, as with stored keys', async () => {
    const result = await world.run({ 'role-to-assume': 'runner-deploy', 'role-chaining': 'true' }, { oidc: false, env: inPod() });
    expect(result.errors).toEqual([]);
    expect(result.outputs['authenticated-arn']).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/runner-deploy/GitHubActions`);
  });
});

describe('force-skip-oidc with a role, on a runner that could request an OIDC token', () => {
  test('in an EKS pod: the Pod Identity agent is asked with its token, and no OIDC token is requested', async () => {
    const tokens = world.oidc.requests;
    const since = world.sts.calls.length;
    const result = await world.run({ 'role-to-assume': role('runner-deploy'), 'force-skip-oidc': 'true' }, { env: inPod() });
    expect(result.errors).toEqual([]);
    expect(world.oidc.requests).toBe(tokens);
    expect(container.requests.at(-1)).toEqual({ method: 'GET', path: '/v1/credentials', authorization: container.authorizationToken });
    expect(result.masks).toContain(container.authorizationToken);
    expect(result.stdout).toContain(`Plan: the runner's own AWS identity (container credentials (ECS, EKS Pod Identity, CodeBuild), verified as ${POD_ARN})`);
    expect(callsSince(since).filter(c => c.action === 'AssumeRole')).toEqual([{ action: 'AssumeRole', key: podSession.accessKeyId }]);
  });

  test('the authorization token may come from a file, as EKS mounts it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pod-identity-')), 'eks-pod-identity-token');
    writeFileSync(file, container.authorizationToken);
    const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: container.fullUri, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: file };
    const result = await world.run({ 'role-to-assume': role('runner-deploy'), 'force-skip-oidc': 'true' }, { env });
    expect(result.errors).toEqual([]);
    expect(container.requests.at(-1)?.authorization).toBe(container.authorizationToken);
  });
});

describe('use-existing-credentials with the runner identity', () => {
  test('keeps the instance role credentials when they work: no role is assumed and nothing is exported', async () => {
    const since = world.sts.calls.length;
    const result = await world.run({ 'role-to-assume': role('runner-deploy'), 'use-existing-credentials': 'true' }, { oidc: false, env: ON_EC2 });
    expect(result.errors).toEqual([]);
    expect(callsSince(since)).toEqual([{ action: 'GetCallerIdentity', key: instanceSession.accessKeyId }]);
    expect(result.commands.filter(c => c.name === 'notice').map(c => c.data)).toEqual([
      `use-existing-credentials: keeping the runner's own working credentials, from EC2 instance role (${INSTANCE_ARN})`
    ]);
    expect(result.env).toEqual({});
  });

  test('with no runner identity, gets new credentials with OIDC as usual', async () => {
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'use-existing-credentials': 'true' });
    expect(result.errors).toEqual([]);
    expect(result.stdout).toContain('use-existing-credentials: the runner has no AWS credentials of its own; getting new ones');
    expect(result.env.AWS_ACCESS_KEY_ID).toBe(world.sts.sessions.at(-1)?.accessKeyId);
  });
});

describe('a step with only aws-region', () => {
  test('verifies the runner identity, sets aws-account-id and authenticated-arn, and exports only the region', async () => {
    const since = world.sts.calls.length;
    const result = await world.run({}, { oidc: false, env: ON_EC2 });
    expect(result.errors).toEqual([]);
    expect(callsSince(since)).toEqual([{ action: 'GetCallerIdentity', key: instanceSession.accessKeyId }]);
    expect(result.env).toEqual({ AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1' });
    expect(result.outputs).toEqual({ 'aws-account-id': ACCOUNT, 'authenticated-arn': INSTANCE_ARN });
    expect(result.stdout).toContain(`Plan: the runner's own AWS identity (EC2 instance role, verified as ${INSTANCE_ARN}) → verify with GetCallerIdentity`);
    expect(result.summary).toContain("the runner's own AWS identity: EC2 instance role");
  });

  test('allowed-account-ids refuses a runner in another account, and nothing is exported', async () => {
    const result = await world.run({ 'allowed-account-ids': OTHER_ACCOUNT }, { oidc: false, env: inPod() });
    expect(result.errors).toEqual([expect.stringMatching(new RegExp(`^allowed-account-ids: the credentials belong to account ${ACCOUNT}`))]);
    expect(result.env).toEqual({});
    expect(result.outputs).toEqual({});
  });
});

describe('when the runner has no identity of its own', () => {
  test('the error lists every source tried and what to add; no STS call is made', async () => {
    const since = world.sts.calls.length;
    const result = await world.run({ 'role-to-assume': role('runner-deploy') }, { oidc: false });
    expect(result.errors).toHaveLength(1);
    const error = result.errors[0]!;
    expect(error).toMatch(/^No AWS credentials found for the runner's own identity\. Tried, in the AWS SDK's order:\n/);
    for (const line of [
      '- environment variables (AWS_ACCESS_KEY_ID): AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set',
      "- profile 'default' of the shared AWS files: ",
      '- web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE, as EKS IRSA sets it): AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not both set',
      '- EC2 instance role: AWS_EC2_METADATA_DISABLED is set'
    ]) {
      expect(error).toContain(line);
    }
    expect(error).toContain(
      'To fix: give the job `permissions: id-token: write` and set role-to-assume (GitHub OIDC; pull requests from forks never get a token); or pass aws-access-key-id and aws-secret-access-key; or run on a runner with an AWS identity'
    );
    expect(world.sts.calls.length).toBe(since);
  });

  test('a container endpoint that refuses the token is named with its answer, and EC2 metadata is not asked after it', async () => {
    const requests = imds.requests.length;
    const env = { ...ON_EC2, AWS_CONTAINER_CREDENTIALS_FULL_URI: container.fullUri, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'wrong-token' };
    const result = await world.run({ 'role-to-assume': role('runner-deploy'), 'role-chaining': 'true' }, { oidc: false, env });
    expect(result.errors[0]).toMatch(/- container credentials \(ECS, EKS Pod Identity, CodeBuild\): .+/);
    expect(imds.requests.length).toBe(requests);
  });

  test('a container endpoint that never answers is given up on at the total deadline, not after every retry', async () => {
    container.mode = 'hang';
    const requests = container.requests.length;
    const result = await world.run({ 'role-to-assume': role('runner-deploy'), 'role-chaining': 'true' }, { oidc: false, env: inPod() });
    expect(result.errors[0]).toContain('- container credentials (ECS, EKS Pod Identity, CodeBuild): no answer within 2.5 s');
    expect(container.requests.length - requests).toBeLessThanOrEqual(2);
  });

  test('a GitHub-hosted runner is never asked for EC2 instance metadata (its metadata address is another cloud)', async () => {
    const requests = imds.requests.length;
    const result = await world.run({ 'role-to-assume': role('runner-deploy') }, { oidc: false, env: { AWS_EC2_METADATA_DISABLED: undefined, RUNNER_ENVIRONMENT: 'github-hosted' } });
    expect(result.errors[0]).toContain('- EC2 instance role: not asked on a GitHub-hosted runner');
    expect(imds.requests.length).toBe(requests);
  });

  test('an instance metadata service that never answers costs a bounded number of requests, then the error', async () => {
    imds.mode = 'hang';
    const requests = imds.requests.length;
    const result = await world.run({}, { oidc: false, env: ON_EC2 });
    expect(result.errors[0]).toMatch(/- EC2 instance role: .+/);
    // The token request, then (as the SDK falls back) one IMDSv1 request: never a retry loop.
    expect(imds.requests.length - requests).toBeLessThanOrEqual(2);
  });
});

describe('the rest of the chain', () => {
  test('profiles: the runner identity is found and verified once, and signs every role', async () => {
    const since = world.sts.calls.length;
    const requests = imds.requests.length;
    const result = await world.run({ profiles: `a=${role('runner-deploy')}\nb=${role('runner-deploy')}` }, { oidc: false, env: ON_EC2 });
    expect(result.errors).toEqual([]);
    expect(imds.requests.length - requests).toBe(3);
    expect(
      world.sts.calls
        .slice(since)
        .filter(c => c.action === 'AssumeRole')
        .map(c => c.accessKeyId)
    ).toEqual([instanceSession.accessKeyId, instanceSession.accessKeyId]);
  });

  test('keys in the environment come first, as in the SDK, and are named as such', async () => {
    const keys = world.sts.mintSession(role('pod-runner'), 'from-env');
    const env = { ...inPod(), AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey, AWS_SESSION_TOKEN: keys.sessionToken };
    const requests = container.requests.length;
    const result = await world.run({ 'role-to-assume': role('runner-deploy'), 'force-skip-oidc': 'true' }, { env });
    expect(result.errors).toEqual([]);
    expect(result.stdout).toContain("Plan: the runner's own AWS identity (environment variables (AWS_ACCESS_KEY_ID), verified as");
    expect(container.requests.length).toBe(requests);
  });
});

describe('IRSA: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN', () => {
  test("the token is exchanged through the action's own STS endpoint, and that session signs the AssumeRole", async () => {
    // An OIDC token the stand-in issues, written where EKS would mount the projected service account token.
    const tokenRun = await world.run({ 'role-to-assume': role('gha-deploy') });
    expect(tokenRun.errors).toEqual([]);
    const file = join(mkdtempSync(join(tmpdir(), 'irsa-')), 'token');
    writeFileSync(file, world.oidc.issued.at(-1)!.token);
    const since = world.sts.calls.length;
    const env = { AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_ARN: role('gha-deploy'), AWS_ROLE_SESSION_NAME: 'irsa-runner' };
    const result = await world.run({ 'role-to-assume': role('chained'), 'role-chaining': 'true' }, { oidc: false, env });
    expect(result.errors).toEqual([]);
    expect(result.stdout).toContain(`(web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE, as EKS IRSA sets it), verified as arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/irsa-runner)`);
    expect(world.sts.calls.slice(since).map(c => c.action)).toEqual(['AssumeRoleWithWebIdentity', 'GetCallerIdentity', 'AssumeRole', 'GetCallerIdentity']);
    expect(result.masks).toContain(world.oidc.issued.at(-1)!.token);
  });
});
