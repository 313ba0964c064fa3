// Rules that involve more than one input, or an input and the environment: all stated here, once,
// and all checked before any network call.
import { BUILT_IN_TAG_KEYS } from '../session-tags.js';
import { DEFAULTS, type InputName } from './names.js';
import type { Inputs } from './model.js';
import { bypassesProxy, nodeSupportsProxyAgents } from './proxy-settings.js';
import type { InputReader } from './reader.js';
import { chooseSource, isSigned } from './source.js';

export function checkCombinations(read: InputReader, inputs: Inputs): void {
  const assumes = inputs.role !== undefined || inputs.profiles.length > 0;
  const wipeOnly = inputs.unsetCurrentCredentials && !assumes && inputs.keys === undefined;
  if (inputs.region === '' && !wipeOnly) read.problem('aws-region', 'is required (or set AWS_REGION in the environment), e.g. us-east-1');
  checkChainedDuration(read, inputs);
  checkSources(read, inputs, assumes);
  checkProfiles(read, inputs);
  checkRefresh(read, inputs);
  if (!assumes) checkRoleOnlyInputs(read, inputs);
  checkProxyAgents(read, inputs);
  if (read.problems.length === 0) checkSource(read, inputs, assumes);
}

/**
 * AWS caps a session assumed with role-session credentials at one hour: role-chaining from a session
 * and every role-chain hop. role-chaining from an IAM user's long-term keys (no session token) is not
 * chaining for STS: up to 12 hours, within the role's maximum.
 */
function checkChainedDuration(read: InputReader, inputs: Inputs): void {
  const cap = DEFAULTS.chainedMaxSeconds;
  if (inputs.durationSeconds <= cap) return;
  const fromSession = typeof inputs.environment.credentials !== 'object' || inputs.environment.credentials.sessionToken !== undefined;
  if (inputs.roleChaining && fromSession) read.problem('role-duration-seconds', `must be at most ${cap} with role-chaining: AWS limits chained role sessions to one hour`);
  else if (inputs.roleChain.length > 0) read.problem('role-duration-seconds', `must be at most ${cap} with role-chain: AWS limits chained role sessions to one hour per hop`);
}

function checkSources(read: InputReader, inputs: Inputs, assumes: boolean): void {
  if (inputs.roleChaining && !assumes) read.problem('role-chaining', 'needs role-to-assume: the role to assume with the current credentials');
  if (inputs.roleChaining && (inputs.keys !== undefined || inputs.webIdentityTokenFile !== undefined)) {
    read.problem('role-chaining', 'uses the credentials already in the environment; do not also give aws-access-key-id or web-identity-token-file');
  }
  if (inputs.keys !== undefined && inputs.webIdentityTokenFile !== undefined) {
    read.problem('web-identity-token-file', 'cannot be combined with aws-access-key-id: choose one source of credentials');
  }
  if (inputs.webIdentityTokenFile !== undefined && !assumes) {
    read.problem('web-identity-token-file', 'needs role-to-assume: the role the token is exchanged for');
  }
  const otherSource = inputs.keys !== undefined || inputs.webIdentityTokenFile !== undefined || inputs.roleChaining;
  if (inputs.forceSkipOidc && assumes && !otherSource) {
    read.problem('force-skip-oidc', "is true and a role is set, so 'aws-access-key-id' or 'web-identity-token-file' (or role-chaining) must be set");
  }
}

function checkProfiles(read: InputReader, inputs: Inputs): void {
  const names = [...(inputs.awsProfile === undefined ? [] : [inputs.awsProfile]), ...inputs.profiles.map(p => p.name)];
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (repeated.length > 0) read.problem('profiles', `names each profile once; ${[...new Set(repeated)].join(', ')} appears more than once (aws-profile included)`);
  if (inputs.overwriteProfile && names.length === 0) read.problem('overwrite-aws-profile', 'only applies with aws-profile or profiles');
  if (inputs.profiles.length > 0 && inputs.role === undefined && inputs.outputEnvCredentials) {
    read.problem('output-env-credentials', 'needs role-to-assume when profiles are given: several roles have no single set of credentials to export');
  }
}

/** refresh-credentials: a later step must be able to mint a fresh token, so stored or chained keys cannot refresh. */
function checkRefresh(read: InputReader, inputs: Inputs): void {
  if (!inputs.refreshCredentials) return;
  if (inputs.role === undefined) read.problem('refresh-credentials', 'needs role-to-assume: the role a later step re-assumes when its credentials run out');
  if (inputs.keys !== undefined || inputs.roleChaining) {
    read.problem(
      'refresh-credentials',
      'only works with GitHub OIDC or web-identity-token-file: a later step can mint a fresh token, but stored keys or chained credentials would have to be written to disk'
    );
  }
}

// Inputs with defaults in action.yml (session name, duration) always arrive set, so they cannot be checked here.
const ROLE_ONLY_INPUTS: readonly InputName[] = [
  'role-external-id',
  'inline-session-policy',
  'managed-session-policies',
  'transitive-tag-keys',
  'custom-tags',
  'role-chain',
  'source-identity'
];

function checkRoleOnlyInputs(read: InputReader, inputs: Inputs): void {
  for (const name of ROLE_ONLY_INPUTS) {
    if (read.text(name) !== undefined) read.problem(name, 'only applies when role-to-assume is set');
  }
  if (inputs.specialCharactersWorkaround) read.problem('special-characters-workaround', 'only applies when role-to-assume is set');
}

/** Older Node ignores the proxy agents' settings and would connect directly: refuse rather than bypass the proxy quietly. */
function checkProxyAgents(read: InputReader, inputs: Inputs): void {
  if (inputs.proxy.url === undefined || nodeSupportsProxyAgents(inputs.environment.nodeVersion)) return;
  const targets = [...(inputs.stsEndpoint ? [inputs.stsEndpoint.url] : []), ...(inputs.environment.idToken ? [inputs.environment.idToken.url] : [])];
  if (targets.every(url => bypassesProxy(new URL(url), inputs.proxy.noProxy))) return;
  read.problem('http-proxy', `needs Node 24.5 or later to proxy requests, and this runner has ${inputs.environment.nodeVersion}`);
}

/** The source the plan will use must exist and fit the rest of the inputs. */
function checkSource(read: InputReader, inputs: Inputs, assumes: boolean): void {
  const source = chooseSource(inputs);
  if (!assumes) {
    if (source?.kind !== 'keys' && !inputs.unsetCurrentCredentials) {
      read.problem(
        'role-to-assume',
        'nothing to do without it: set role-to-assume (with OIDC or keys), or aws-access-key-id and aws-secret-access-key, or unset-current-credentials: true to only clear credentials'
      );
    }
    return;
  }
  if (source === undefined) return missingSource(read, inputs);
  if (inputs.role?.kind === 'name' && !isSigned(source)) {
    read.problem(
      'role-to-assume',
      `'${inputs.role.name}' is a role name, not an ARN; with ${source.kind === 'oidc' ? 'OIDC' : 'a web identity token file'} there is no source account to complete it, so give the full ARN (arn:aws:iam::<account>:role/${inputs.role.name})`
    );
  }
  checkTags(read, inputs, isSigned(source) && !inputs.skipSessionTagging);
  if (!isSigned(source) && inputs.sourceIdentity !== undefined && inputs.roleChain.length === 0) {
    read.problem(
      'source-identity',
      'only applies to AssumeRole (stored keys, role-chaining, or a role-chain hop); AssumeRoleWithWebIdentity takes a source identity only from the token'
    );
  }
  // Warnings, not failures: configure-aws-credentials accepts these here, so a drop-in swap must too.
  if (!isSigned(source) && inputs.externalId !== undefined) {
    inputs.warnings.push('role-external-id does not apply and is not sent: it belongs to AssumeRole (stored keys or role-chaining); AssumeRoleWithWebIdentity has no external id');
  }
}

/** force-skip-oidc without another source is reported by checkSources. */
function missingSource(read: InputReader, inputs: Inputs): void {
  if (inputs.roleChaining) {
    read.problem(
      'role-chaining',
      inputs.environment.credentials === 'malformed'
        ? 'AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN in the environment must be printable ASCII without spaces or line breaks'
        : 'needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment (e.g. exported by an earlier step of this action)'
    );
  } else if (!inputs.forceSkipOidc) {
    read.problem(
      'role-to-assume',
      'this job has no credentials to assume the role with. For OIDC, give the job `permissions: id-token: write` ' +
        '(ACTIONS_ID_TOKEN_REQUEST_URL is not set; pull requests from forks never get it); or pass aws-access-key-id and aws-secret-access-key; ' +
        'or set role-chaining: true to use credentials an earlier step exported'
    );
  }
}

function checkTags(read: InputReader, inputs: Inputs, tagging: boolean): void {
  const untagged = inputs.skipSessionTagging
    ? 'role-skip-session-tagging is true, so no session tags are sent'
    : 'web identity sessions (OIDC, web-identity-token-file) take their tags from the token, so no session tags are sent';
  if (!tagging) {
    if (inputs.transitiveTagKeys.length > 0) inputs.warnings.push(`transitive-tag-keys does not apply and is ignored: ${untagged}`);
    if (inputs.customTags.length > 0) inputs.warnings.push(`custom-tags does not apply and is ignored: ${untagged}`);
    return;
  }
  const sent = [...BUILT_IN_TAG_KEYS, ...inputs.customTags.map(tag => tag.Key)];
  for (const key of inputs.transitiveTagKeys) {
    if (!sent.some(tag => tag.toLowerCase() === key.toLowerCase())) read.problem('transitive-tag-keys', `'${key}' is not a session tag this run sends (${sent.join(', ')})`);
  }
}
