// The runner's own AWS identity, end to end: the built action as a step on a self-hosted runner whose
// identity comes from EC2 instance metadata or an EKS Pod Identity agent (stand-ins serving sessions the
// STS stand-in minted), the four cases configure-aws-credentials users run, and later steps that
// find the same identity with the AWS CLI.
import { startContainerCredentials, type ContainerCredentialsServer } from '../support/container-credentials-server.ts';
import { startImds, type ImdsServer } from '../support/imds-server.ts';
import { expectNoLeaks } from '../support/leaks.ts';
import { registerSecretSource } from '../support/step-registry.ts';
import type { StepResult } from '../support/step-runner.ts';
import type { IssuedSession } from '../support/sts-server.ts';
import { ACCOUNT, awsEnv, role, startWorld, type World } from '../support/world.ts';

let world: World;
let imds: ImdsServer;
let container: ContainerCredentialsServer;
let instanceSession: IssuedSession;
let podSession: IssuedSession;

beforeAll(async () => {
  world = await startWorld();
  instanceSession = world.sts.mintSession(role('ec2-runner'), 'i-0123456789abcdef0');
  podSession = world.sts.mintSession(role('pod-runner'), 'eks-ci-runner-pod');
  imds = await startImds({ roleName: 'ec2-runner', session: () => instanceSession });
  container = await startContainerCredentials({ session: () => podSession });
  registerSecretSource(() => [...imds.tokens, container.authorizationToken]);
});
afterAll(async () => {
  await Promise.all([world.close(), imds.close(), container.close()]);
});

const onEc2 = (): Record<string, string | undefined> => ({ AWS_EC2_METADATA_DISABLED: undefined, RUNNER_ENVIRONMENT: 'self-hosted', AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint });
const inPod = (): Record<string, string> => ({ AWS_CONTAINER_CREDENTIALS_FULL_URI: container.fullUri, AWS_CONTAINER_AUTHORIZATION_TOKEN: container.authorizationToken });
const assumeCalls = (since: number) => world.sts.calls.slice(since).filter(c => c.action === 'AssumeRole');
const runnerSecrets = (s: IssuedSession): string[] => [s.accessKeyId, s.secretAccessKey, s.sessionToken];

function expectSucceeded(result: StepResult, secrets: string[]): void {
  expect({ exitCode: result.exitCode, errors: result.errors }).toEqual({ exitCode: 0, errors: [] });
  expectNoLeaks(result, secrets);
}

test('role-chaining in an EKS runner pod: AssumeRole is signed by the Pod Identity session, and a later step is the assumed role', async () => {
  const since = world.sts.calls.length;
  const result = await world.step({ 'role-to-assume': role('runner-deploy'), 'role-chaining': 'true' }, { oidc: false, env: inPod() });
  expectSucceeded(result, [...runnerSecrets(podSession), container.authorizationToken]);
  expect(assumeCalls(since).map(c => ({ key: c.accessKeyId, caller: c.callerArn }))).toEqual([
    { key: podSession.accessKeyId, caller: `arn:aws:sts::${ACCOUNT}:assumed-role/pod-runner/eks-ci-runner-pod` }
  ]);
  const later = await world.whoami(awsEnv(result));
  expect(later.identity?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/runner-deploy/GitHubActions`);
});

test('force-skip-oidc with a role on an EC2 runner that has id-token: write: the instance role signs, no OIDC token is requested', async () => {
  const since = world.sts.calls.length;
  const tokens = world.oidc.requests;
  const result = await world.step({ 'role-to-assume': role('runner-deploy'), 'force-skip-oidc': 'true' }, { env: onEc2() });
  expectSucceeded(result, runnerSecrets(instanceSession));
  expect(world.oidc.requests).toBe(tokens);
  expect(assumeCalls(since).map(c => c.accessKeyId)).toEqual([instanceSession.accessKeyId]);
  expect(result.stdout).toContain(`Plan: the runner's own AWS identity (EC2 instance role, verified as arn:aws:sts::${ACCOUNT}:assumed-role/ec2-runner/i-0123456789abcdef0)`);
});

test('use-existing-credentials when the existing credentials are the instance role: kept, nothing assumed or exported', async () => {
  const since = world.sts.calls.length;
  const result = await world.step({ 'role-to-assume': role('runner-deploy'), 'use-existing-credentials': 'true' }, { oidc: false, env: onEc2() });
  expectSucceeded(result, runnerSecrets(instanceSession));
  expect(world.sts.calls.slice(since).map(c => `${c.action} ${c.accessKeyId}`)).toEqual([`GetCallerIdentity ${instanceSession.accessKeyId}`]);
  expect(result.commands.filter(c => c.name === 'notice').map(c => c.data)).toEqual([
    `use-existing-credentials: keeping the runner's own working credentials, from EC2 instance role (arn:aws:sts::${ACCOUNT}:assumed-role/ec2-runner/i-0123456789abcdef0)`
  ]);
  expect(result.env).toEqual({});
});

test('only aws-region: the runner identity is verified and named in the outputs, only the region is exported, and a later step finds the same identity', async () => {
  const result = await world.step({}, { oidc: false, env: inPod() });
  expectSucceeded(result, [...runnerSecrets(podSession), container.authorizationToken]);
  const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/pod-runner/eks-ci-runner-pod`;
  expect(result.outputs).toEqual({ 'aws-account-id': ACCOUNT, 'authenticated-arn': arn });
  expect(result.env).toEqual({ AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1' });
  const later = await world.whoami({ ...inPod(), ...result.env });
  expect(later.identity?.Arn).toBe(arn);
});
