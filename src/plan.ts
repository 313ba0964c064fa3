import { homedir } from 'node:os';
import { join } from 'node:path';
import { ROLE_ARN_PATTERN } from './aws-names.js';
import { InputError, type Env, type Inputs, type RoleReference, type StaticCredentials } from './inputs.js';
import { canRequestIdToken } from './oidc.js';
import type { ProxySettings } from './proxy.js';
import type { Tag } from './sts.js';
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
  customTags: Tag[];
  transitiveTagKeys: string[];
  /** Re-assume until the secret key has no special characters (for tools that mishandle them). */
  avoidSpecialCharacters: boolean;
}

/** A further role written to its own profile (the `profiles` input). */
export interface ProfileTarget {
  name: string;
  region: string;
  target: RoleTarget;
}

/** A config-file profile whose credential_process re-assumes the role whenever a tool needs credentials. */
export interface RefreshSink {
  profile: string;
  configFile: string;
  /** True when AWS_CONFIG_FILE chose the file, so later steps must be told where it is. */
  customConfigFile: boolean;
}

export interface Sinks {
  env: boolean;
  credentialOutputs: boolean;
  maskAccountId: boolean;
  /** `aws-profile`: the main credentials also go to this profile of the shared files. */
  profile?: string;
  overwriteProfiles: boolean;
  /** `unset-current-credentials` when the new credentials do not replace the old in the environment. */
  clearEnvironment: boolean;
  summary: boolean;
  refresh?: RefreshSink;
}

interface Common {
  region: string;
  stsEndpoint?: string;
  proxy: ProxySettings;
  maxAttempts: number;
  allowedAccountIds: string[];
  sinks: Sinks;
  /** `use-existing-credentials`: keep these if they still work. */
  existing?: StaticCredentials;
  deadlineSeconds: number;
}

/** Everything the run will do, decided up front by pure code so it can be logged and tested. */
export type Plan =
  | (Common & {
      kind: 'assume';
      source: CredentialSource;
      /** `role-to-assume`; absent when only `profiles` are assumed. */
      target?: RoleTarget;
      /** The hops after `target`, in order; each is assumed with the previous hop's credentials. */
      chain: RoleTarget[];
      profiles: ProfileTarget[];
    })
  | (Common & { kind: 'use-keys'; source: Extract<CredentialSource, { kind: 'keys' }> })
  | (Common & { kind: 'wipe' });

export function decidePlan(inputs: Inputs, env: Env): Plan {
  const common: Common = {
    region: inputs.region,
    stsEndpoint: inputs.stsEndpoint,
    proxy: inputs.proxy,
    maxAttempts: inputs.maxAttempts,
    allowedAccountIds: inputs.allowedAccountIds,
    sinks: {
      env: inputs.outputEnvCredentials,
      credentialOutputs: inputs.outputCredentials,
      maskAccountId: inputs.maskAccountId,
      // With refresh-credentials the profile holds a credential_process, never static keys.
      profile: inputs.refreshCredentials ? undefined : inputs.awsProfile,
      overwriteProfiles: inputs.overwriteProfile,
      clearEnvironment: inputs.unsetCurrentCredentials && !inputs.outputEnvCredentials,
      summary: inputs.summary
    },
    existing: inputs.useExistingCredentials ? existingCredentials(env) : undefined,
    deadlineSeconds: inputs.actionTimeoutSeconds
  };
  const source = chooseSource(inputs, env);
  if (inputs.role !== undefined || inputs.profiles.length > 0) {
    if (source === undefined) throw new InputError([missingSourceProblem(inputs)]);
    const sinks = inputs.refreshCredentials ? { ...common.sinks, refresh: refreshSink(source, env, inputs.awsProfile) } : common.sinks;
    return { ...common, sinks, kind: 'assume', source, ...roleTargets(inputs, source) };
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
  if (!inputs.forceSkipOidc && canRequestIdToken(env)) return { kind: 'oidc', audience: inputs.audience };
  return undefined;
}

function missingSourceProblem(inputs: Inputs): string {
  if (inputs.forceSkipOidc) return 'force-skip-oidc: is true, so give aws-access-key-id, web-identity-token-file or role-chaining to assume the role with';
  return (
    'role-to-assume: this job has no credentials to assume the role with. For OIDC, give the job `permissions: id-token: write` ' +
    '(ACTIONS_ID_TOKEN_REQUEST_URL is not set; pull requests from forks never get it); or pass aws-access-key-id and aws-secret-access-key; ' +
    'or set role-chaining: true to use credentials an earlier step exported'
  );
}

/** AWS_ACCESS_KEY_ID and friends as they are; 'malformed' when they could never be sent as credentials. */
function readEnvironmentCredentials(env: Env): StaticCredentials | 'malformed' | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID?.trim();
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY?.trim();
  if (!accessKeyId || !secretAccessKey) return undefined;
  const sessionToken = env.AWS_SESSION_TOKEN?.trim();
  // They go into a signature and HTTP headers; a line break there fails only inside the SDK, and slowly.
  if (![accessKeyId, secretAccessKey, sessionToken || 'none'].every(value => /^[\x21-\x7e]+$/.test(value))) return 'malformed';
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

/** `use-existing-credentials`: credentials that cannot be sent cannot work, so there is nothing to keep. */
function existingCredentials(env: Env): StaticCredentials | undefined {
  const credentials = readEnvironmentCredentials(env);
  return credentials === 'malformed' ? undefined : credentials;
}

function environmentCredentials(env: Env): StaticCredentials {
  const credentials = readEnvironmentCredentials(env);
  if (credentials === undefined) {
    throw new InputError([
      'role-chaining: needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (e.g. exported by an earlier step of this action)'
    ]);
  }
  if (credentials === 'malformed') {
    throw new InputError([
      'role-chaining: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN in the environment must be printable ASCII without spaces or line breaks'
    ]);
  }
  return credentials;
}

function roleTargets(inputs: Inputs, source: CredentialSource): { target?: RoleTarget; chain: RoleTarget[]; profiles: ProfileTarget[] } {
  const signed = source.kind === 'keys' || source.kind === 'environment';
  const tagging = signed && !inputs.skipSessionTagging;
  const problems = [
    ...(inputs.role === undefined ? [] : bareRoleProblems(inputs.role, source)),
    ...tagProblems(inputs, tagging),
    ...webIdentityProblems(inputs, signed)
  ];
  if (problems.length > 0) throw new InputError(problems);
  const targetFor = (role: RoleReference): RoleTarget => ({
    role,
    sessionName: inputs.sessionName,
    durationSeconds: inputs.durationSeconds,
    externalId: inputs.externalId,
    inlineSessionPolicy: inputs.inlineSessionPolicy,
    managedSessionPolicies: inputs.managedSessionPolicies,
    tagging,
    customTags: tagging ? inputs.customTags : [],
    transitiveTagKeys: inputs.transitiveTagKeys,
    avoidSpecialCharacters: inputs.specialCharactersWorkaround
  });
  const hops = inputs.role === undefined ? [] : chainHops(inputs, targetFor(inputs.role));
  return {
    target: hops[0],
    chain: hops.slice(1),
    profiles: inputs.profiles.map(spec => ({ name: spec.name, region: spec.region ?? inputs.region, target: targetFor({ kind: 'arn', arn: spec.roleArn }) }))
  };
}

/**
 * role-to-assume, then each role-chain hop. Session policies limit the session that is exported, so
 * they go on the last hop only: on an earlier hop they could forbid the next sts:AssumeRole. So does
 * the special-characters check: only the exported secret matters.
 */
function chainHops(inputs: Inputs, first: RoleTarget): RoleTarget[] {
  if (inputs.roleChain.length === 0) return [first];
  const hops: RoleTarget[] = inputs.roleChain.map(arn => ({
    role: { kind: 'arn', arn },
    sessionName: inputs.sessionName,
    durationSeconds: inputs.durationSeconds,
    managedSessionPolicies: [],
    tagging: !inputs.skipSessionTagging,
    customTags: inputs.skipSessionTagging ? [] : inputs.customTags,
    transitiveTagKeys: [],
    avoidSpecialCharacters: false
  }));
  const last = hops[hops.length - 1]!;
  hops[hops.length - 1] = {
    ...last,
    inlineSessionPolicy: first.inlineSessionPolicy,
    managedSessionPolicies: first.managedSessionPolicies,
    avoidSpecialCharacters: first.avoidSpecialCharacters
  };
  return [{ ...first, inlineSessionPolicy: undefined, managedSessionPolicies: [], avoidSpecialCharacters: false }, ...hops];
}

function refreshSink(source: CredentialSource, env: Env, profile = 'default'): RefreshSink {
  if (source.kind !== 'oidc' && source.kind !== 'token-file') {
    throw new InputError([
      'refresh-credentials: only works with GitHub OIDC or web-identity-token-file (this run would use ' + SOURCE_LABELS[source.kind] + ')'
    ]);
  }
  const custom = env.AWS_CONFIG_FILE?.trim();
  const configFile = custom ? custom : join(env.HOME?.trim() || homedir(), '.aws', 'config');
  return { profile, configFile, customConfigFile: Boolean(custom) };
}

function bareRoleProblems(role: RoleReference, source: CredentialSource): string[] {
  if (role.kind === 'arn' || source.kind === 'keys' || source.kind === 'environment') return [];
  return [
    `role-to-assume: '${role.name}' is a role name, not an ARN; with ${source.kind === 'oidc' ? 'OIDC' : 'a web identity token file'} there is no source account to complete it, so give the full ARN (arn:aws:iam::<account>:role/${role.name})`
  ];
}

function tagProblems(inputs: Inputs, tagging: boolean): string[] {
  const untagged = 'no session tags are sent on this run (web identity sessions take tags from the token; role-skip-session-tagging turns them off)';
  if (!tagging) {
    return [
      ...(inputs.transitiveTagKeys.length > 0 ? [`transitive-tag-keys: ${untagged}, so no key can be transitive`] : []),
      ...(inputs.customTags.length > 0 ? [`custom-tags: ${untagged}`] : [])
    ];
  }
  const sent = [...BUILT_IN_TAG_KEYS, ...inputs.customTags.map(tag => tag.Key)];
  return inputs.transitiveTagKeys
    .filter(key => !sent.some(tag => tag.toLowerCase() === key.toLowerCase()))
    .map(key => `transitive-tag-keys: '${key}' is not a session tag this run sends (${sent.join(', ')})`);
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

export function roleAccounts(plan: Plan): string[] {
  if (plan.kind !== 'assume') return [];
  const roles = [...(plan.target ? [plan.target.role] : []), ...plan.profiles.map(p => p.target.role)];
  return roles.flatMap(role => (role.kind === 'arn' ? (ROLE_ARN_PATTERN.exec(role.arn)?.[2] ?? []) : []));
}

export const SOURCE_LABELS: Record<CredentialSource['kind'], string> = {
  oidc: 'GitHub OIDC token',
  keys: 'stored access keys',
  'token-file': 'web identity token file',
  environment: 'credentials already in the environment (role chaining)'
};

/** One line a person can follow: source, target, and where the result goes. */
export function describePlan(plan: Plan): string {
  const sinks = [
    plan.sinks.env ? 'environment' : '',
    'outputs',
    plan.sinks.profile ? `profile '${plan.sinks.profile}'` : '',
    plan.kind === 'assume' && plan.profiles.length > 0 ? `profiles ${plan.profiles.map(p => `'${p.name}'`).join(', ')}` : ''
  ].filter(s => s !== '');
  const via = plan.proxy.url ? ', through the proxy' : '';
  const tail = `→ verify with GetCallerIdentity → export to ${sinks.join(', ')} (region ${plan.region}${via})`;
  const keep = plan.existing ? 'keep the credentials in the environment if they still work, else ' : '';
  switch (plan.kind) {
    case 'wipe':
      return 'Plan: clear the AWS credentials in the environment for later steps';
    case 'use-keys':
      return `Plan: ${keep}${SOURCE_LABELS.keys} ${tail}`;
    case 'assume': {
      const call = plan.source.kind === 'oidc' || plan.source.kind === 'token-file' ? 'AssumeRoleWithWebIdentity' : 'AssumeRole';
      const audience = plan.source.kind === 'oidc' ? ` (audience ${plan.source.audience})` : '';
      const roles = [...(plan.target ? [plan.target] : []), ...plan.profiles.map(p => p.target)];
      const first = roles[0];
      const names = roles.map(t => (t.role.kind === 'arn' ? t.role.arn : `role '${t.role.name}' in the source account`)).join(' and ');
      const tags = first?.tagging ? ', with session tags' : '';
      const chain = plan.chain.map(hop => ` → AssumeRole ${hop.role.kind === 'arn' ? hop.role.arn : hop.role.name} (signed by the previous role)`).join('');
      const refresh = plan.sinks.refresh;
      const to = refresh
        ? `→ verify with GetCallerIdentity → export to profile '${refresh.profile}' in ${refresh.configFile} (credential_process re-assumes on demand), AWS_PROFILE in the environment (region ${plan.region})`
        : tail;
      return `Plan: ${keep}${SOURCE_LABELS[plan.source.kind]}${audience} → ${call} ${names} as session '${first?.sessionName}' for ${first?.durationSeconds} s${tags}${chain} ${to}`;
    }
  }
}
