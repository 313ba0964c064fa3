// Why STS refused a role, and the policy text that would admit this caller: pure functions over the
// facts (role ARN, token claims, caller ARN), so every sentence can be tested without a network.

/** Error codes that mean "the trust (or identity) policy said no": retrying cannot help, explaining can. */
const REFUSAL_CODES = new Set(['AccessDenied', 'AccessDeniedException', 'InvalidIdentityToken', 'InvalidIdentityTokenException']);

export function isRefusal(error: unknown): boolean {
  const facts = (error ?? {}) as { name?: unknown; Code?: unknown };
  return [facts.name, facts.Code].some(code => typeof code === 'string' && REFUSAL_CODES.has(code)) && !isKeysUnavailable(error);
}

/**
 * InvalidIdentityToken "Couldn't retrieve verification key from your identity provider": STS could
 * not fetch the issuer's signing keys (GitHub's JWKS), often under many parallel jobs. Not a verdict
 * on the token: AWS's advice is a new token and another try.
 */
export function isKeysUnavailable(error: unknown): boolean {
  const facts = (error ?? {}) as { name?: unknown; message?: unknown };
  return (
    (facts.name === 'InvalidIdentityToken' || facts.name === 'InvalidIdentityTokenException') &&
    typeof facts.message === 'string' &&
    /couldn't retrieve verification key from your identity provider/i.test(facts.message)
  );
}

/**
 * The claims trust policies can test: iss, aud, sub, and those STS exposes as condition keys
 * (`<provider>:<claim>`, since January 2026). Never the token itself: only these decoded, non-secret values.
 */
export const DIAGNOSED_CLAIMS = ['iss', 'aud', 'sub', 'actor', 'actor_id', 'job_workflow_ref', 'repository', 'repository_id', 'workflow', 'ref', 'environment', 'enterprise_id'] as const;

interface RoleParts {
  partition: string;
  account: string;
  path: string;
  name: string;
}

const ROLE_ARN = /^arn:([\w-]+):iam::(\d{12}):role\/(.*\/)?([^/]+)$/;
const ASSUMED_ROLE_ARN = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;
const ANY_ARN_ACCOUNT = /^arn:[\w-]+:[\w-]*:[\w-]*:(\d{12}):/;

export function roleParts(roleArn: string): RoleParts | undefined {
  const match = ROLE_ARN.exec(roleArn);
  if (!match) return undefined;
  return { partition: match[1]!, account: match[2]!, path: match[3] ? `/${match[3]}` : '/', name: match[4]! };
}

function claimText(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (Array.isArray(value)) return value.map(String).join(', ');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A two-column text table: it reads the same in a log line, an annotation and a summary code block. */
export function claimsTable(claims: Record<string, unknown>): string {
  const width = Math.max(...DIAGNOSED_CLAIMS.map(c => c.length)) + 2;
  return DIAGNOSED_CLAIMS.map(claim => `  ${claim.padEnd(width)}${claimText(claims[claim]) ?? '(not in the token)'}`).join('\n');
}

/** `https://token.actions.githubusercontent.com/slug` → `token.actions.githubusercontent.com/slug`: the provider URL and condition-key prefix. */
export function issuerKeyPrefix(iss: unknown): string | undefined {
  if (typeof iss !== 'string') return undefined;
  try {
    const url = new URL(iss);
    return `${url.host}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return undefined;
  }
}

export interface WebIdentityFacts {
  roleArn: string;
  /** Decoded (unverified) token claims. */
  claims: Record<string, unknown>;
  /** STS's own words, e.g. "AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity". */
  stsMessage: string;
}

/** The trust policy document that admits exactly this token for this role. */
export function webIdentityTrustPolicy(roleArn: string, claims: Record<string, unknown>) {
  const parts = roleParts(roleArn);
  const prefix = issuerKeyPrefix(claims.iss) ?? '<issuer host and path>';
  const repositoryId = claimText(claims.repository_id);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:${parts?.partition ?? 'aws'}:iam::${parts?.account ?? '<role account>'}:oidc-provider/${prefix}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${prefix}:aud`]: claimText(claims.aud) ?? '<audience>',
            [`${prefix}:sub`]: claimText(claims.sub) ?? '<subject>',
            // The repository's id survives a rename or a transfer, and a deleted name cannot be re-registered to match it.
            ...(repositoryId === undefined ? {} : { [`${prefix}:repository_id`]: repositoryId })
          }
        }
      }
    ]
  };
}

// Terraform strings interpolate ${…} and %{…}; doubling the sigil keeps a claim literal.
function hclString(value: string): string {
  return JSON.stringify(value).replace(/([$%])\{/g, '$1$1{');
}

function hclValue(value: unknown, indent: string): string {
  if (typeof value === 'string') return hclString(value);
  if (Array.isArray(value)) return `[${value.map(v => hclValue(v, indent)).join(', ')}]`;
  const inner = `${indent}  `;
  const entries = Object.entries(value as Record<string, unknown>);
  const keyWidth = Math.max(...entries.map(([k]) => hclKey(k).length));
  const lines = entries.map(([k, v]) => `${inner}${hclKey(k).padEnd(keyWidth)} = ${hclValue(v, inner)}`);
  return `{\n${lines.join('\n')}\n${indent}}`;
}

function hclKey(key: string): string {
  return /^[A-Za-z_][\w-]*$/.test(key) ? key : hclString(key);
}

/** The same policy as an `aws_iam_role` resource, ready to paste. */
export function terraformRole(roleArn: string, policy: unknown): string {
  const parts = roleParts(roleArn);
  const name = parts?.name ?? 'github-actions';
  const label = name.replace(/[^\w-]/g, '_').replace(/^(?![A-Za-z_])/, 'role_');
  const path = parts && parts.path !== '/' ? `\n  path = ${hclString(parts.path)}` : '';
  return `resource "aws_iam_role" "${label}" {\n  name = ${hclString(name)}${path}\n  assume_role_policy = jsonencode(${hclValue(policy, '  ')})\n}`;
}

/** What usually differs between a trust policy and a token, each with what this job's token says. */
function subjectHints(claims: Record<string, unknown>, roleAccount: string): string[] {
  const repository = claimText(claims.repository) ?? 'OWNER/REPO';
  const sub = claimText(claims.sub) ?? '';
  const environment = claimText(claims.environment);
  const event = claimText(claims.event_name) ?? 'unknown';
  const ref = claimText(claims.ref) ?? 'unknown';
  const hints = [
    `- A job with an environment has sub repo:${repository}:environment:NAME, not the branch form (this job: ${environment ? `environment '${environment}'` : 'no environment'}).`,
    `- A pull_request run has sub repo:${repository}:pull_request (this job: event ${event}).`,
    `- A tag push has sub repo:${repository}:ref:refs/tags/TAG; a refs/heads/* pattern does not match it (this job: ref ${ref}).`,
    ...(isEnterpriseServer(claims.iss) ? [] : [`- ${immutableHint(claims, sub)}`]),
    `- The audience: the policy's :aud condition must equal it and the OIDC provider in account ${roleAccount} must list it as a client ID (this token: '${claimText(claims.aud) ?? 'none'}'; set with the audience input).`
  ];
  if (sub !== '' && !DEFAULT_SUB.test(sub)) {
    hints.push(
      `- This sub ${sub.startsWith('repo:') ? 'starts with repo: but is not one of the default forms' : 'does not start with repo:'}, so a custom sub template is in use (organization or repository OIDC settings); match it as it is, claim by claim.`
    );
  }
  return hints;
}

/** The default sub forms, by name or immutable: a ref, an environment, or a pull request. A custom template adds claims. */
const DEFAULT_SUB = /^repo:[^:/]+(?:@\d+)?\/[^:/]+(?:@\d+)?:(?:ref:[^:]+|environment:[^:]+|pull_request)$/;

/** GitHub Enterprise Server issues tokens from https://HOST/_services/token, and has no immutable subjects. */
function isEnterpriseServer(iss: unknown): boolean {
  try {
    return typeof iss === 'string' && /\/_services\/token\/?$/.test(new URL(iss).pathname);
  } catch {
    return false;
  }
}

function immutableHint(claims: Record<string, unknown>, sub: string): string {
  const rule = 'Repositories created, renamed or transferred after 2026-07-15 use the immutable sub repo:OWNER@OWNER_ID/REPO@REPO_ID:…';
  if (/^repo:[^/:]+@\d+\/[^/:]+@\d+:/.test(sub)) return `${rule} (this token uses it: a policy written for repo:OWNER/REPO:… does not match).`;
  const owner = claimText(claims.repository_owner);
  const [, name] = (claimText(claims.repository) ?? '').split('/');
  const ownerId = claimText(claims.repository_owner_id);
  const repoId = claimText(claims.repository_id);
  const form = owner && name && ownerId && repoId ? `repo:${owner}@${ownerId}/${name}@${repoId}:…` : 'that form';
  return `${rule} (this token uses the name form; after a switch it would be ${form}; a policy may list both with StringLike).`;
}

/** For a refused AssumeRoleWithWebIdentity: the claims, the statement that admits them, and what commonly differs. */
export function diagnoseWebIdentity(facts: WebIdentityFacts): string {
  const parts = roleParts(facts.roleArn);
  const account = parts?.account ?? '<role account>';
  const prefix = issuerKeyPrefix(facts.claims.iss);
  const policy = webIdentityTrustPolicy(facts.roleArn, facts.claims);
  const noProvider = /No OpenIDConnect provider found/i.test(facts.stsMessage);
  return [
    `STS refused this workflow's token for ${facts.roleArn}. The token's claims that trust policies test:`,
    claimsTable(facts.claims),
    ...(noProvider && prefix
      ? [`Account ${account} has no IAM OIDC provider for this issuer: create one with URL https://${prefix} and client ID ${claimText(facts.claims.aud) ?? '<audience>'}.`]
      : []),
    'A trust policy that admits exactly this workflow (JSON):',
    JSON.stringify(policy, null, 2),
    'The same as Terraform:',
    terraformRole(facts.roleArn, policy),
    'What commonly differs:',
    ...subjectHints(facts.claims, account)
  ].join('\n');
}

export interface Caller {
  /** The ARN GetCallerIdentity returns, e.g. an IAM user or an assumed-role session. */
  arn: string;
  /** The IAM role ARN behind an assumed-role session, when known exactly (a chain hop knows it). */
  roleArn?: string;
}

export interface AssumeRoleFacts {
  roleArn: string;
  /** Undefined when GetCallerIdentity on the source credentials failed too. */
  caller?: Caller;
  tagged: boolean;
  externalId: boolean;
  /** source-identity was sent: the trust policy must allow sts:SetSourceIdentity too. */
  sourceIdentity?: boolean;
  stsMessage: string;
}

/** The ARN a trust policy's `AWS` principal must name for this caller: a session is named by its role. */
export function principalFor(caller: Caller): { arn: string; note?: string } {
  if (caller.roleArn !== undefined) return { arn: caller.roleArn };
  const session = ASSUMED_ROLE_ARN.exec(caller.arn);
  if (!session) return { arn: caller.arn };
  return {
    arn: `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`,
    note: 'a session ARN does not show the role path: if the role has one, the principal is arn:…:role/<path>/<name>'
  };
}

function accountOf(arn: string): string | undefined {
  return ANY_ARN_ACCOUNT.exec(arn)?.[1];
}

/** For a refused AssumeRole (stored keys or chaining): who asked, and the statements that let them. */
export function diagnoseAssumeRole(facts: AssumeRoleFacts): string {
  const actions = ['sts:AssumeRole', ...(facts.tagged ? ['sts:TagSession'] : []), ...(facts.sourceIdentity ? ['sts:SetSourceIdentity'] : [])];
  const lines = [`STS refused AssumeRole on ${facts.roleArn}.`];
  if (facts.caller === undefined) {
    lines.push('The caller could not be identified (GetCallerIdentity on the source credentials failed too): check that the keys are active.');
  } else {
    const principal = principalFor(facts.caller);
    lines.push(`The caller is ${facts.caller.arn}. The role's trust policy must name it as a principal:`);
    lines.push(`  ${JSON.stringify({ Effect: 'Allow', Principal: { AWS: principal.arn }, Action: actions })}`);
    if (principal.note) lines.push(`(${principal.note})`);
    const callerAccount = accountOf(facts.caller.arn);
    const roleAccount = roleParts(facts.roleArn)?.account;
    if (callerAccount !== undefined && roleAccount !== undefined && callerAccount !== roleAccount) {
      lines.push(
        `The caller (account ${callerAccount}) and the role (account ${roleAccount}) are in different accounts, so the caller's own identity policy must allow it too:`,
        `  ${JSON.stringify({ Effect: 'Allow', Action: actions, Resource: facts.roleArn })}`
      );
    }
  }
  if (facts.tagged) {
    lines.push('Session tags were sent, so the trust policy must also allow sts:TagSession; or set role-skip-session-tagging: true to send none.');
  }
  if (facts.sourceIdentity) {
    lines.push(
      /sts:SetSourceIdentity/.test(facts.stsMessage)
        ? 'STS refused sts:SetSourceIdentity: source-identity was given, so the trust policy must allow sts:SetSourceIdentity (or leave source-identity unset).'
        : 'source-identity was given, so the trust policy must also allow sts:SetSourceIdentity.'
    );
  }
  if (facts.externalId) {
    lines.push('role-external-id was given: a trust policy whose sts:ExternalId condition expects another value gives this same error.');
  }
  return lines.join('\n');
}
