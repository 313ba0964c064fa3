// The job summary: what a person reading the run wants to know, never a key, token or secret.
import { SOURCE_LABELS, type Plan } from '../plan.js';
import type { CallerIdentity, SessionCredentials } from '../types.js';

/** What the job summary shows; only identities, names and times, never a key, token or secret. */
export interface SuccessFacts {
  source: string;
  /** role-to-assume then each chained role; empty when stored keys are used as they are. */
  roles: string[];
  sessionName?: string;
  identityArn: string;
  account: string;
  region: string;
  expiration?: Date;
  refreshProfile?: string;
  /** refresh-credentials without aws-profile: re-assumed by the local credentials server. */
  refreshServer?: boolean;
  /** `profiles`: each profile name with its role. */
  profiles: string[];
  elapsedMs: number;
  maskAccountId: boolean;
}

// Any 12-digit run is an account id in this text (ARNs, the account row, policy statements).
const ACCOUNT_ID = /(?<!\d)\d{12}(?!\d)/g;

function masked(text: string, maskAccountId: boolean): string {
  return maskAccountId ? text.replace(ACCOUNT_ID, '***') : text;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function code(text: string): string {
  return `\`${cell(text).replace(/`/g, "'")}\``;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function successSummary(facts: SuccessFacts): string {
  const rows: [string, string][] = [
    ['Source', facts.source],
    ...(facts.roles.length > 0 ? [['Role', facts.roles.map(code).join(' → ')] as [string, string]] : []),
    ...(facts.profiles.length > 0 ? [['Profiles', facts.profiles.map(code).join(', ')] as [string, string]] : []),
    ...(facts.sessionName !== undefined ? [['Session name', code(facts.sessionName)] as [string, string]] : []),
    ['Verified identity', code(facts.identityArn)],
    ['Account', code(facts.account)],
    ['Region', code(facts.region)],
    ['Expires', expiresText(facts)],
    ['Step time', seconds(facts.elapsedMs)]
  ];
  const table = ['| | |', '| --- | --- |', ...rows.map(([name, value]) => `| ${name} | ${value} |`)].join('\n');
  return masked(`### AWS credentials: ready\n\n${table}\n`, facts.maskAccountId);
}

/** The facts of a run that got this far, in the summary's terms. */
export function summaryFacts(plan: Exclude<Plan, { kind: 'wipe' }>, identity: CallerIdentity, credentials: SessionCredentials, elapsedMs: number): SuccessFacts {
  const hops = plan.kind === 'assume' ? [...(plan.target ? [plan.target] : []), ...plan.chain] : [];
  const profiles = plan.kind === 'assume' ? plan.profiles : [];
  return {
    source: SOURCE_LABELS[plan.source.kind],
    roles: hops.map(hop => (hop.role.kind === 'arn' ? hop.role.arn : hop.role.name)),
    sessionName: (hops[0] ?? profiles[0]?.target)?.sessionName,
    profiles: profiles.map(p => `${p.name}=${p.target.role.kind === 'arn' ? p.target.role.arn : p.target.role.name}`),
    identityArn: identity.arn,
    account: identity.account,
    region: plan.region,
    expiration: credentials.expiration,
    refreshProfile: plan.sinks.refresh?.profile,
    refreshServer: plan.sinks.refreshServer,
    elapsedMs,
    maskAccountId: plan.sinks.maskAccountId
  };
}

export function failureSummary(message: string, elapsedMs: number, maskAccountId: boolean): string {
  // A fence longer than any backtick run in the message keeps it one code block.
  const longest = Math.max(2, ...(message.match(/`+/g) ?? []).map(run => run.length));
  const fence = '`'.repeat(longest + 1);
  return masked(`### AWS credentials: failed after ${seconds(elapsedMs)}\n\n${fence}text\n${message}\n${fence}\n`, maskAccountId);
}

function expiresText(facts: SuccessFacts): string {
  const session = `this session: ${facts.expiration?.toISOString() ?? 'no expiry'}`;
  if (facts.refreshServer) return `re-assumed before expiry by the local credentials server, until the post step stops it (${session})`;
  if (facts.refreshProfile !== undefined) return `refreshed on demand through profile ${code(facts.refreshProfile)} (${session})`;
  return facts.expiration?.toISOString() ?? 'never (long-term keys)';
}
