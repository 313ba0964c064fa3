import { InputError, ROLE_ARN_PATTERN, type Env, type Inputs, type RoleReference, type StaticCredentials } from './inputs.js';
import { canRequestIdToken } from './oidc.js';
import { BUILT_IN_TAG_KEYS } from './tags.js';

export type CredentialSource =
  | { kind: 'oidc'; audience: string }
  | { kind: 'keys'; credentials: StaticCredentials }
  | { kind: 'token-file'; path: string }
  | { kind: 'environment'; credentials: StaticCredentials };

export type SignedSource = Extract<CredentialSource, { kind: 'keys' | 'environment' }>;

export interface RoleTarget {
  role: RoleReference;
  sessionName: string;
  durationSeconds: number;
  externalId?: string;
  inlineSessionPolicy?: string;
  managedSessionPolicies: string[];
  /** Session tags go only on AssumeRole; web identity sessions take theirs from the token. */
  tagging: boolean;
  transitiveTagKeys: string[];
}

export interface Sinks {
  env: boolean;
  credentialOutputs: boolean;
  maskAccountId: boolean;
}

interface Common {
  region: string;
  stsEndpoint?: string;
  maxAttempts: number;
  allowedAccountIds: string[];
  sinks: Sinks;
}

/** Everything the run will do, decided up front by pure code so it can be logged and tested. */
export type Plan =
  | (Common & { kind: 'assume'; source: CredentialSource; target: RoleTarget })
  | (Common & { kind: 'use-keys'; source: Extract<CredentialSource, { kind: 'keys' }> })
  | (Common & { kind: 'wipe' });

export function decidePlan(inputs: Inputs, env: Env): Plan {
  const common: Common = {
    region: inputs.region,
    stsEndpoint: inputs.stsEndpoint,
    maxAttempts: inputs.maxAttempts,
    allowedAccountIds: inputs.allowedAccountIds,
    sinks: { env: inputs.outputEnvCredentials, credentialOutputs: inputs.outputCredentials, maskAccountId: inputs.maskAccountId }
  };
  const source = chooseSource(inputs, env);
  if (inputs.role !== undefined) {
    if (source === undefined) throw new InputError([missingSourceProblem()]);
    return { ...common, kind: 'assume', source, target: roleTarget(inputs, inputs.role, source) };
  }
  if (source?.kind === 'keys') return { ...common, kind: 'use-keys', source };
  if (inputs.unsetCurrentCredentials) return { ...common, kind: 'wipe' };
  throw new InputError([
    'role-to-assume: nothing to do without it: set role-to-assume (with OIDC or keys), or aws-access-key-id and aws-secret-access-key, or unset-current-credentials: true to only clear credentials'
  ]);
}

function chooseSource(inputs: Inputs, env: Env): CredentialSource | undefined {
  if (inputs.keys !== undefined) return { kind: 'keys', credentials: inputs.keys };
  if (inputs.webIdentityTokenFile !== undefined) return { kind: 'token-file', path: inputs.webIdentityTokenFile };
  if (inputs.roleChaining) return { kind: 'environment', credentials: environmentCredentials(env) };
  if (inputs.role !== undefined && canRequestIdToken(env)) return { kind: 'oidc', audience: inputs.audience };
  return undefined;
}

function missingSourceProblem(): string {
  return (
    'role-to-assume: this job has no credentials to assume the role with. For OIDC, give the job `permissions: id-token: write` ' +
    '(ACTIONS_ID_TOKEN_REQUEST_URL is not set; pull requests from forks never get it); or pass aws-access-key-id and aws-secret-access-key; ' +
    'or set role-chaining: true to use credentials an earlier step exported'
  );
}

function environmentCredentials(env: Env): StaticCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  if (!accessKeyId || !secretAccessKey) {
    throw new InputError([
      'role-chaining: needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (e.g. exported by an earlier step of this action)'
    ]);
  }
  const sessionToken = env.AWS_SESSION_TOKEN?.trim();
  // They go into a signature and HTTP headers; a line break there fails only inside the SDK, and slowly.
  if (![accessKeyId, secretAccessKey, sessionToken || 'none'].every(value => /^[\x21-\x7e]+$/.test(value))) {
    throw new InputError([
      'role-chaining: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN in the environment must be printable ASCII without spaces or line breaks'
    ]);
  }
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

function roleTarget(inputs: Inputs, role: RoleReference, source: CredentialSource): RoleTarget {
  const signed = source.kind === 'keys' || source.kind === 'environment';
  const tagging = signed && !inputs.skipSessionTagging;
  const problems = [...bareRoleProblems(role, source), ...transitiveTagProblems(inputs, tagging), ...webIdentityProblems(inputs, signed)];
  if (problems.length > 0) throw new InputError(problems);
  return {
    role,
    sessionName: inputs.sessionName,
    durationSeconds: inputs.durationSeconds,
    externalId: inputs.externalId,
    inlineSessionPolicy: inputs.inlineSessionPolicy,
    managedSessionPolicies: inputs.managedSessionPolicies,
    tagging,
    transitiveTagKeys: inputs.transitiveTagKeys
  };
}

function bareRoleProblems(role: RoleReference, source: CredentialSource): string[] {
  if (role.kind === 'arn' || source.kind === 'keys' || source.kind === 'environment') return [];
  return [
    `role-to-assume: '${role.name}' is a role name, not an ARN; with ${source.kind === 'oidc' ? 'OIDC' : 'a web identity token file'} there is no source account to complete it, so give the full ARN (arn:aws:iam::<account>:role/${role.name})`
  ];
}

function transitiveTagProblems(inputs: Inputs, tagging: boolean): string[] {
  if (inputs.transitiveTagKeys.length === 0) return [];
  if (!tagging) {
    return [
      'transitive-tag-keys: no session tags are sent on this run (web identity sessions take tags from the token; role-skip-session-tagging turns them off), so no key can be transitive'
    ];
  }
  return inputs.transitiveTagKeys
    .filter(key => !BUILT_IN_TAG_KEYS.some(builtIn => builtIn.toLowerCase() === key.toLowerCase()))
    .map(key => `transitive-tag-keys: '${key}' is not a session tag this action sends (${BUILT_IN_TAG_KEYS.join(', ')})`);
}

function webIdentityProblems(inputs: Inputs, signed: boolean): string[] {
  return !signed && inputs.externalId !== undefined
    ? ['role-external-id: only applies to AssumeRole (stored keys or role-chaining); AssumeRoleWithWebIdentity has no external id']
    : [];
}

/** The ARN a role name stands for in the account (and partition) of the credentials that assume it. */
export function completeRoleArn(role: RoleReference, sourceArn: string, sourceAccount: string): string {
  if (role.kind === 'arn') return role.arn;
  const partition = sourceArn.split(':')[1] ?? 'aws';
  return `arn:${partition}:iam::${sourceAccount}:role/${role.name}`;
}

export function roleAccount(role: RoleReference): string | undefined {
  return role.kind === 'arn' ? ROLE_ARN_PATTERN.exec(role.arn)?.[2] : undefined;
}

const SOURCE_LABELS: Record<CredentialSource['kind'], string> = {
  oidc: 'GitHub OIDC token',
  keys: 'stored access keys',
  'token-file': 'web identity token file',
  environment: 'credentials already in the environment (role chaining)'
};

/** One line a person can follow: source, target, and where the result goes. */
export function describePlan(plan: Plan): string {
  const sinks = [plan.sinks.env ? 'environment' : '', 'outputs'].filter(s => s !== '').join(' and ');
  switch (plan.kind) {
    case 'wipe':
      return 'Plan: clear the AWS credentials in the environment for later steps';
    case 'use-keys':
      return `Plan: ${SOURCE_LABELS.keys} → verify with GetCallerIdentity → export to ${sinks} (region ${plan.region})`;
    case 'assume': {
      const call = plan.source.kind === 'oidc' || plan.source.kind === 'token-file' ? 'AssumeRoleWithWebIdentity' : 'AssumeRole';
      const role = plan.target.role.kind === 'arn' ? plan.target.role.arn : `role '${plan.target.role.name}' in the source account`;
      const audience = plan.source.kind === 'oidc' ? ` (audience ${plan.source.audience})` : '';
      const tags = plan.target.tagging ? ', with session tags' : '';
      return `Plan: ${SOURCE_LABELS[plan.source.kind]}${audience} → ${call} ${role} as session '${plan.target.sessionName}' for ${plan.target.durationSeconds} s${tags} → verify with GetCallerIdentity → export to ${sinks} (region ${plan.region})`;
    }
  }
}

