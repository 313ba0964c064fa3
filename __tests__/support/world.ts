// A small AWS + GitHub world for end-to-end tests: two accounts, an IAM user, an OIDC provider,
// roles with the trust policies people really write, and the built action run as a workflow step.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputDefaults } from './action-metadata.ts';
import { callerIdentity } from './aws-cli.ts';
import { startOidc, type OidcOptions, type OidcServer } from './oidc-server.ts';
import { startSts, type IamRole, type PolicyDocument, type StsOptions, type StsServer } from './sts-server.ts';
import { closeInProcessServers, runInProcess, runPostInProcess, type InProcessOptions, type InProcessResult } from './in-process.ts';
import { registerSecretSource } from './step-registry.ts';
import { runStep, type StepOptions, type StepResult } from './step-runner.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAIN = resolve(REPO_ROOT, 'dist', 'index.js');
export const POST = resolve(REPO_ROOT, 'dist', 'cleanup', 'index.js');
export const DEFAULT_INPUTS = inputDefaults(resolve(REPO_ROOT, 'action.yml'));

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const ISSUER_HOST = 'token.actions.githubusercontent.com';
export const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER_HOST}`;

export const USER = {
  arn: `arn:aws:iam::${ACCOUNT}:user/ci`,
  accessKeyId: 'AKIAEXAMPLECIUSER01',
  secretAccessKey: 'ciUserSecret/Example+Key0123456789abcdefgh'
};
export const OUTSIDER = {
  arn: `arn:aws:iam::${OTHER_ACCOUNT}:user/outsider`,
  accessKeyId: 'AKIAEXAMPLEOUTSIDER',
  secretAccessKey: 'outsiderSecret/Example+Key0123456789abcdef'
};

export const role = (name: string, account = ACCOUNT): string => `arn:aws:iam::${account}:role/${name}`;

function allow(principal: Record<string, string | string[]>, actions: string[], condition?: PolicyDocument['Statement'][number]['Condition']): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: actions, ...(condition ? { Condition: condition } : {}) }] };
}

const githubTrust = (sub: string): PolicyDocument =>
  allow({ Federated: PROVIDER_ARN }, ['sts:AssumeRoleWithWebIdentity'], {
    StringEquals: { [`${ISSUER_HOST}:aud`]: 'sts.amazonaws.com' },
    StringLike: { [`${ISSUER_HOST}:sub`]: sub }
  });

export const ROLES: IamRole[] = [
  { arn: role('gha-deploy'), trustPolicy: githubTrust('repo:octo-org/octo-repo:*') },
  { arn: role('gha-other-repo'), trustPolicy: githubTrust('repo:octo-org/another-repo:*') },
  { arn: role('ci-deploy'), trustPolicy: allow({ AWS: USER.arn }, ['sts:AssumeRole', 'sts:TagSession']) },
  { arn: role('ci-no-tags'), trustPolicy: allow({ AWS: USER.arn }, ['sts:AssumeRole']) },
  { arn: role('ci-long'), maxSessionDuration: 43200, trustPolicy: allow({ AWS: USER.arn }, ['sts:AssumeRole', 'sts:TagSession']) },
  {
    arn: role('ci-external'),
    trustPolicy: allow({ AWS: USER.arn }, ['sts:AssumeRole', 'sts:TagSession'], { StringEquals: { 'sts:ExternalId': 'partner-7781' } })
  },
  { arn: role('chained'), trustPolicy: allow({ AWS: role('gha-deploy') }, ['sts:AssumeRole', 'sts:TagSession']) },
  { arn: role('nobody'), trustPolicy: allow({ AWS: role('someone-else') }, ['sts:AssumeRole']) },
  { arn: role('cross', OTHER_ACCOUNT), trustPolicy: allow({ Federated: `arn:aws:iam::${OTHER_ACCOUNT}:oidc-provider/${ISSUER_HOST}` }, ['sts:AssumeRoleWithWebIdentity']) },
  // A hub role reached with OIDC, whose sessions may assume a target role in another account.
  {
    arn: role('gha-hub'),
    trustPolicy: githubTrust('repo:octo-org/octo-repo:*'),
    policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: role('deploy-target', OTHER_ACCOUNT) }] }
  },
  { arn: role('deploy-target', OTHER_ACCOUNT), trustPolicy: allow({ AWS: role('gha-hub') }, ['sts:AssumeRole', 'sts:TagSession']) },
  // Trusts the hub, but the hub's own policy does not grant it: a cross-account refusal.
  { arn: role('ungranted-target', OTHER_ACCOUNT), trustPolicy: allow({ AWS: role('gha-hub') }, ['sts:AssumeRole', 'sts:TagSession']) },
  // Trusts the IAM user from another account, whose identity policy grants nothing.
  { arn: role('partner', OTHER_ACCOUNT), trustPolicy: allow({ AWS: USER.arn }, ['sts:AssumeRole', 'sts:TagSession']) },
  // Self-hosted runners' own identities (sessions minted with sts.mintSession and served by the IMDS or
  // container stand-ins), and the role they may assume.
  { arn: role('ec2-runner'), trustPolicy: allow({ Service: 'ec2.amazonaws.com' }, ['sts:AssumeRole']) },
  { arn: role('pod-runner'), trustPolicy: allow({ Service: 'pods.eks.amazonaws.com' }, ['sts:AssumeRole', 'sts:TagSession']) },
  { arn: role('runner-deploy'), trustPolicy: allow({ AWS: [role('ec2-runner'), role('pod-runner')] }, ['sts:AssumeRole', 'sts:TagSession']) }
];

export interface World {
  sts: StsServer;
  oidc: OidcServer;
  /** Runs the built action's main entry as a workflow step with these inputs. */
  step(inputs: Record<string, string>, options?: Partial<StepOptions> & { oidc?: boolean }): Promise<StepResult>;
  /** Runs the action in this process through its Runtime (fake clock, recording output), against the same stand-ins. */
  run(inputs: Record<string, string>, options?: InProcessOptions & { oidc?: boolean }): Promise<InProcessResult>;
  /** Runs the post step with the state the main step saved. */
  post(main: StepResult, env?: Record<string, string | undefined>): Promise<StepResult>;
  /** The post step in this process, with the state the main step saved. */
  runPost(main: StepResult, env?: Record<string, string | undefined>): InProcessResult;
  /** A later `run:` step: `aws sts get-caller-identity` with the given environment (the SDK's default chain where `aws` is missing). */
  whoami(env: Record<string, string>): ReturnType<typeof callerIdentity>;
  close(): Promise<void>;
}

export async function startWorld(options: { sts?: StsOptions; oidc?: OidcOptions } = {}): Promise<World> {
  const oidc = await startOidc(options.oidc);
  const sts = await startSts({
    region: 'us-east-1',
    users: [USER, OUTSIDER],
    roles: ROLES,
    oidcProviders: [
      { url: ISSUER_HOST, account: ACCOUNT, clientIds: ['sts.amazonaws.com'], jwks: oidc.jwks },
      { url: ISSUER_HOST, account: OTHER_ACCOUNT, clientIds: ['sts.amazonaws.com'], jwks: oidc.jwks }
    ],
    ...options.sts
  });
  // Everything this world hands out, read live when the file's leak scan runs (leak-scan.ts).
  registerSecretSource(() => [
    ...[USER, OUTSIDER].flatMap(u => [u.accessKeyId, u.secretAccessKey]),
    ...sts.sessions.flatMap(s => [s.accessKeyId, s.secretAccessKey, s.sessionToken]),
    ...oidc.issued.map(t => t.token)
  ]);
  return {
    sts,
    oidc,
    step(inputs, { oidc: withOidc = true, env, ...rest } = {}) {
      const idToken = withOidc ? { ACTIONS_ID_TOKEN_REQUEST_URL: oidc.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken } : {};
      return runStep({ entry: MAIN, inputs: { ...DEFAULT_INPUTS, 'aws-region': 'us-east-1', 'sts-endpoint': sts.url, ...inputs }, env: { ...idToken, ...env }, ...rest });
    },
    run(inputs, { oidc: withOidc = true, env, ...rest } = {}) {
      const idToken = withOidc ? { ACTIONS_ID_TOKEN_REQUEST_URL: oidc.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken } : {};
      return runInProcess({ ...DEFAULT_INPUTS, 'aws-region': 'us-east-1', 'sts-endpoint': sts.url, ...inputs }, { env: { ...idToken, ...env }, ...rest });
    },
    post(main, env = {}) {
      return runStep({ entry: POST, state: main.state, env: { ...main.env, ...env } });
    },
    runPost(main, env = {}) {
      return runPostInProcess(main, env);
    },
    whoami(env) {
      return callerIdentity(sts.url, env);
    },
    async close() {
      await Promise.all([sts.close(), oidc.close(), closeInProcessServers()]);
    }
  };
}

/** The exported credential variables of a step, as a later step's environment. */
export function awsEnv(result: StepResult): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(result.env)) if (name.startsWith('AWS_') && value !== '') picked[name] = value;
  return picked;
}
