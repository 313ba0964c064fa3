// The plan: everything the run will do, decided up front by pure code from the inputs alone, so it can
// be logged in one line and tested without a network.
import { ROLE_ARN_PATTERN } from './aws-names.js';
import { describeEndpoint, type StsEndpoint } from './endpoints.js';
import type { SharedFiles } from './inputs/environment.js';
import type { Inputs } from './inputs/model.js';
import { bypassesProxy } from './inputs/proxy-settings.js';
import { ambientSource, chooseSource, isSigned, SOURCE_LABELS, type AmbientSource, type CredentialSource, type SignedSource } from './inputs/source.js';
import type { ProxySettings, RoleReference, Tag } from './types.js';

export { SOURCE_LABELS, type AmbientSource, type CredentialSource, type SignedSource };

/** `use-existing-credentials`: the credentials in the environment, or the runner's own identity. */
export type ExistingSource = Extract<CredentialSource, { kind: 'environment' | 'ambient' }>;

export interface RoleTarget {
  role: RoleReference;
  sessionName: string;
  durationSeconds: number;
  externalId?: string;
  /** Sent on this AssumeRole only; STS keeps it on every later hop. */
  sourceIdentity?: string;
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
  /** refresh-credentials with aws-profile: the legacy credential_process profile of that name. */
  refresh?: RefreshSink;
  /** refresh-credentials without aws-profile: later steps read the action's local credentials server. */
  refreshServer: boolean;
  /** The shared credentials and config files that profiles go to. */
  sharedFiles: SharedFiles;
  /** AWS_SESSION_TOKEN is set in the environment: exported long-term keys must blank it. */
  clearSessionToken: boolean;
}

interface Common {
  region: string;
  /** Undefined only on a wipe-only run, which calls nothing. */
  stsEndpoint?: StsEndpoint;
  proxy: ProxySettings;
  maxAttempts: number;
  allowedAccountIds: string[];
  sinks: Sinks;
  /** `use-existing-credentials`: keep these if they still work. */
  existing?: ExistingSource;
  deadlineSeconds: number;
  userAgent: [string, string][];
  appId?: string;
  /** Things a person should change in the workflow, though the run can go on. */
  notices: string[];
  /** Inputs that do not apply to this run, or settings that put the job at risk. */
  warnings: string[];
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
  /** Only a region: verify the runner's own identity and say whose it is; its credentials stay where they are. */
  | (Common & { kind: 'verify-ambient'; source: AmbientSource })
  | (Common & { kind: 'wipe' });

/** Total over valid inputs: every rule that could refuse them was checked by the inputs layer. */
export function decidePlan(inputs: Inputs): Plan {
  const environment = inputs.environment;
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
      summary: inputs.summary,
      sharedFiles: environment.sharedFiles,
      clearSessionToken: environment.sessionTokenSet,
      refreshServer: false
    },
    existing: inputs.useExistingCredentials ? existingSource(inputs) : undefined,
    deadlineSeconds: inputs.actionTimeoutSeconds,
    userAgent: environment.userAgent,
    appId: environment.appId,
    notices: inputs.notices,
    warnings: inputs.warnings
  };
  const source = chooseSource(inputs);
  if (source !== undefined && (inputs.role !== undefined || inputs.profiles.length > 0)) {
    const sinks = inputs.refreshCredentials ? refreshSinks(common.sinks, environment.sharedFiles, inputs.awsProfile) : common.sinks;
    return { ...common, sinks, kind: 'assume', source, ...roleTargets(inputs, source) };
  }
  if (source?.kind === 'keys') return { ...common, kind: 'use-keys', source };
  if (source?.kind === 'ambient' && !inputs.unsetCurrentCredentials) return { ...common, kind: 'verify-ambient', source };
  return { ...common, kind: 'wipe' };
}

function existingSource(inputs: Inputs): ExistingSource | undefined {
  const credentials = inputs.environment.credentials;
  if (credentials === 'malformed') return undefined;
  return credentials === undefined ? ambientSource(inputs) : { kind: 'environment', credentials };
}

function roleTargets(inputs: Inputs, source: CredentialSource): { target?: RoleTarget; chain: RoleTarget[]; profiles: ProfileTarget[] } {
  const tagging = isSigned(source) && !inputs.skipSessionTagging;
  const targetFor = (role: RoleReference): RoleTarget => ({
    role,
    sessionName: inputs.sessionName,
    durationSeconds: inputs.durationSeconds,
    externalId: inputs.externalId,
    // AssumeRoleWithWebIdentity takes none: then the first role-chain hop sends it (chainHops).
    sourceIdentity: isSigned(source) ? inputs.sourceIdentity : undefined,
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
  const hops: RoleTarget[] = inputs.roleChain.map((arn, index) => ({
    role: { kind: 'arn', arn },
    sourceIdentity: index === 0 && first.sourceIdentity === undefined ? inputs.sourceIdentity : undefined,
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

/**
 * A named profile is what the user asked for with aws-profile: the credential_process profile of that
 * name (tools run with --profile). Otherwise the local credentials server, which every client reads
 * from AWS_CONTAINER_CREDENTIALS_FULL_URI without a profile, any quoting, or a process per call.
 */
function refreshSinks(sinks: Sinks, files: SharedFiles, profile: string | undefined): Sinks {
  if (profile === undefined) return { ...sinks, refreshServer: true };
  return { ...sinks, refresh: { profile, configFile: files.config, customConfigFile: files.customConfig } };
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

/** The runner's own identity once found: the Plan line of a run that uses it names it. */
export interface RunnerFound {
  origin: string;
  arn: string;
}

function sourceText(plan: Exclude<Plan, { kind: 'wipe' }>, runner?: RunnerFound): string {
  const label = SOURCE_LABELS[plan.source.kind];
  return runner === undefined ? label : `${label} (${runner.origin}, verified as ${runner.arn})`;
}

/** One line a person can follow: source, target, and where the result goes. */
export function describePlan(plan: Plan, runner?: RunnerFound): string {
  const sinks = [
    plan.sinks.env ? 'environment' : '',
    'outputs',
    plan.sinks.profile ? `profile '${plan.sinks.profile}'` : '',
    plan.kind === 'assume' && plan.profiles.length > 0 ? `profiles ${plan.profiles.map(p => `'${p.name}'`).join(', ')}` : ''
  ].filter(s => s !== '');
  const via = plan.proxy.url && plan.stsEndpoint && !bypassesProxy(new URL(plan.stsEndpoint.url), plan.proxy.noProxy) ? ', through the proxy' : '';
  const where = plan.stsEndpoint ? `; ${describeEndpoint(plan.stsEndpoint, plan.region)}${via}` : '';
  const tail = `→ verify with GetCallerIdentity → export to ${sinks.join(', ')} (region ${plan.region}${where})`;
  const keep = plan.existing ? `keep ${plan.existing.kind === 'ambient' ? "the runner's own credentials" : 'the credentials in the environment'} if they still work, else ` : '';
  switch (plan.kind) {
    case 'wipe':
      return 'Plan: clear the AWS credentials in the environment for later steps';
    case 'use-keys':
      return `Plan: ${keep}${SOURCE_LABELS.keys} ${tail}`;
    case 'verify-ambient':
      return `Plan: ${keep}${sourceText(plan, runner)} → verify with GetCallerIdentity → outputs aws-account-id and authenticated-arn${plan.sinks.env ? `, AWS_REGION and AWS_DEFAULT_REGION (region ${plan.region})` : ''}; no credentials are exported: later steps find the runner's own the same way`;
    case 'assume': {
      const call = plan.source.kind === 'oidc' || plan.source.kind === 'token-file' ? 'AssumeRoleWithWebIdentity' : 'AssumeRole';
      const audience = plan.source.kind === 'oidc' ? ` (audience ${plan.source.audience})` : '';
      const roles = [...(plan.target ? [plan.target] : []), ...plan.profiles.map(p => p.target)];
      const first = roles[0];
      const names = roles.map(t => (t.role.kind === 'arn' ? t.role.arn : `role '${t.role.name}' in the source account`)).join(' and ');
      const tags = first?.tagging ? ', with session tags' : '';
      const chain = plan.chain.map(hop => ` → AssumeRole ${hop.role.kind === 'arn' ? hop.role.arn : hop.role.name} (signed by the previous role)`).join('');
      const refresh = plan.sinks.refresh;
      const to = plan.sinks.refreshServer
        ? `→ verify with GetCallerIdentity → serve them to later steps from a local credentials server that re-assumes before they expire (AWS_CONTAINER_CREDENTIALS_FULL_URI, region ${plan.region}${where})`
        : refresh
          ? `→ verify with GetCallerIdentity → export to profile '${refresh.profile}' in ${refresh.configFile} (credential_process re-assumes on demand), AWS_PROFILE in the environment (region ${plan.region}${where})`
          : tail;
      return `Plan: ${keep}${sourceText(plan, runner)}${audience} → ${call} ${names} as session '${first?.sessionName}' for ${first?.durationSeconds} s${tags}${chain} ${to}`;
    }
  }
}

/** The decisions behind the Plan line, one per debug line (ACTIONS_STEP_DEBUG); never a secret. */
export function planDecisions(plan: Plan): string[] {
  if (plan.kind === 'wipe') return ['nothing to call: only the AWS variables are blanked'];
  const proxied = (url: string): string =>
    plan.proxy.url === undefined ? 'direct (no proxy configured)' : bypassesProxy(new URL(url), plan.proxy.noProxy) ? 'direct (no-proxy matches its host)' : 'through the proxy';
  const endpoint = plan.stsEndpoint;
  const source = plan.source;
  const hops = plan.kind === 'assume' ? [...(plan.target ? [plan.target] : []), ...plan.chain] : [];
  return [
    `source: ${SOURCE_LABELS[source.kind]}${source.kind === 'oidc' ? `, token from ${new URL(source.endpoint.url).host} ${proxied(source.endpoint.url)}` : ''}`,
    ...(endpoint ? [`STS: ${endpoint.url} (named by ${endpoint.origin}${endpoint.fips ? ', FIPS' : ''}${endpoint.dualStack ? ', dual-stack' : ''}), ${proxied(endpoint.url)}`] : []),
    `retries: up to ${plan.maxAttempts} attempt${plan.maxAttempts === 1 ? '' : 's'} per call, only throttling, server and network faults`,
    `deadline: ${plan.deadlineSeconds > 0 ? `${plan.deadlineSeconds} s for the whole step (action-timeout-s)` : 'none beyond each request’s own'}`,
    ...hops.map(
      (hop, i) => `hop ${i + 1}: ${hop.tagging ? `session tags on (${hop.customTags.length} custom, transitive: ${hop.transitiveTagKeys.join(', ') || 'none'})` : 'no session tags'}`
    ),
    `sinks: environment ${plan.sinks.env ? 'yes' : 'no'}, credential outputs ${plan.sinks.credentialOutputs ? 'yes' : 'no'}, profile files ${plan.sinks.sharedFiles.credentials} and ${plan.sinks.sharedFiles.config}${plan.sinks.refresh ? `, refresh profile '${plan.sinks.refresh.profile}'` : ''}`,
    ...(plan.existing ? ['use-existing-credentials: the credentials found are checked once, unretried, before anything is assumed'] : [])
  ];
}
