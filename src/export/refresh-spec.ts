// What the credential_process helper needs to re-assume the plan's roles, as command arguments.
// Only names, ARNs, numbers and URLs: a secret never goes on a command line or into the config file.
import { parseArgs } from 'node:util';
import type { Plan, RoleTarget } from '../plan.js';

type AssumePlan = Extract<Plan, { kind: 'assume' }>;

export interface RefreshSpec {
  source: { kind: 'oidc'; audience: string } | { kind: 'token-file'; path: string };
  /** role-to-assume, then each role-chain hop. */
  roles: string[];
  sessionName: string;
  durationSeconds: number;
  region: string;
  endpoint?: string;
  maxAttempts: number;
  /** Whether chained hops (AssumeRole) send session tags. */
  tagging: boolean;
  /** Session policies of the last hop. */
  inlinePolicy?: string;
  policyArns: string[];
  /** source-identity, sent on the first role-chain hop (AssumeRoleWithWebIdentity takes none). */
  sourceIdentity?: string;
}

function arnOf(target: RoleTarget): string {
  // The plan refuses bare role names with OIDC and token files (no source account to complete them).
  if (target.role.kind !== 'arn') throw new Error(`refresh-credentials needs a role ARN, got '${target.role.name}'`);
  return target.role.arn;
}

export function refreshSpec(plan: AssumePlan): RefreshSpec {
  const source = plan.source;
  if (source.kind !== 'oidc' && source.kind !== 'token-file') throw new Error('refresh-credentials needs an OIDC or token-file source');
  const first = plan.target;
  if (first === undefined) throw new Error('refresh-credentials needs role-to-assume');
  const last = plan.chain[plan.chain.length - 1] ?? first;
  return {
    source: source.kind === 'oidc' ? { kind: 'oidc', audience: source.audience } : { kind: 'token-file', path: source.path },
    roles: [first, ...plan.chain].map(arnOf),
    sessionName: first.sessionName,
    durationSeconds: first.durationSeconds,
    region: plan.region,
    endpoint: plan.stsEndpoint?.url,
    maxAttempts: plan.maxAttempts,
    tagging: plan.chain.some(hop => hop.tagging),
    inlinePolicy: last.inlineSessionPolicy,
    policyArns: last.managedSessionPolicies,
    sourceIdentity: plan.chain[0]?.sourceIdentity
  };
}

export function specArguments(spec: RefreshSpec): string[] {
  const [first, ...chain] = spec.roles;
  return [
    '--role',
    first ?? '',
    ...chain.flatMap(arn => ['--chain', arn]),
    '--session-name',
    spec.sessionName,
    '--duration',
    String(spec.durationSeconds),
    ...(spec.source.kind === 'oidc' ? ['--audience', spec.source.audience] : ['--token-file', spec.source.path]),
    '--region',
    spec.region,
    ...(spec.endpoint !== undefined ? ['--endpoint', spec.endpoint] : []),
    '--max-attempts',
    String(spec.maxAttempts),
    ...(spec.tagging || chain.length === 0 ? [] : ['--no-tags']),
    ...(spec.inlinePolicy !== undefined ? ['--policy', spec.inlinePolicy] : []),
    ...spec.policyArns.flatMap(arn => ['--policy-arn', arn]),
    ...(spec.sourceIdentity !== undefined ? ['--source-identity', spec.sourceIdentity] : [])
  ];
}

export function parseSpecArguments(argv: string[]): RefreshSpec {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      role: { type: 'string' },
      chain: { type: 'string', multiple: true, default: [] },
      'session-name': { type: 'string' },
      duration: { type: 'string' },
      audience: { type: 'string' },
      'token-file': { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      'max-attempts': { type: 'string', default: '3' },
      'no-tags': { type: 'boolean', default: false },
      policy: { type: 'string' },
      'policy-arn': { type: 'string', multiple: true, default: [] },
      'source-identity': { type: 'string' }
    }
  });
  const required = (name: 'role' | 'session-name' | 'duration' | 'region'): string => {
    const value = values[name];
    if (value === undefined || value === '') throw new Error(`--${name} is required`);
    return value;
  };
  const tokenFile = values['token-file'];
  return {
    source: tokenFile !== undefined ? { kind: 'token-file', path: tokenFile } : { kind: 'oidc', audience: values.audience ?? 'sts.amazonaws.com' },
    roles: [required('role'), ...values.chain],
    sessionName: required('session-name'),
    durationSeconds: Number(required('duration')),
    region: required('region'),
    endpoint: values.endpoint,
    maxAttempts: Number(values['max-attempts']),
    tagging: !values['no-tags'],
    inlinePolicy: values.policy,
    policyArns: values['policy-arn'],
    sourceIdentity: values['source-identity']
  };
}

/**
 * Quotes one word so both readers of credential_process split it back the same: the SDKs run the
 * line through /bin/sh, the AWS CLI through Python's shlex. Plain words stay bare; "…" where nothing
 * inside is special to either; otherwise '…' with '\'' for a quote, which both read literally.
 */
export function shellWord(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  if (!/["\\$`!\n\r]/.test(word)) return `"${word}"`;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(words: string[]): string {
  return words.map(shellWord).join(' ');
}
