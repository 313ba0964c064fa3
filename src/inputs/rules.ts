// Rules that involve more than one input, or an input and the environment: all stated here, once,
// and all checked before any network call.
import { preview } from '../log-text.js';
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
  if (!assumes && inputs.keys === undefined && !inputs.unsetCurrentCredentials) checkRunnerIdentityOnly(read, inputs);
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
  // force-skip-oidc with no other source uses the runner's own identity (an EC2 instance role, say).
}

/** A step with only a region verifies the runner's own identity and exports none of its credentials. */
function checkRunnerIdentityOnly(read: InputReader, inputs: Inputs): void {
  const reason = "without role-to-assume or aws-access-key-id this step only verifies the runner's own identity, whose credentials it does not export";
  if (inputs.awsProfile !== undefined) read.problem('aws-profile', `has nothing to write: ${reason}`);
  if (inputs.outputCredentials) read.problem('output-credentials', `has nothing to output: ${reason}`);
}

function checkProfiles(read: InputReader, inputs: Inputs): void {
  const names = [...(inputs.awsProfile === undefined ? [] : [inputs.awsProfile]), ...inputs.profiles.map(p => p.name)];
  const seen = new Set<string>();
  const repeated = new Set(names.filter(name => seen.has(name) || !seen.add(name)));
  if (repeated.size > 0) {
    // Bounded like every echoed list: the first few names, then a count.
    const shown = [...repeated].slice(0, 5).join(', ') + (repeated.size > 5 ? ` and ${repeated.size - 5} more` : '');
    read.problem('profiles', `names each profile once; ${shown} ${repeated.size === 1 ? 'appears' : 'appear'} more than once (aws-profile included)`);
  }
  if (inputs.overwriteProfile && names.length === 0 && !inputs.refreshCredentials) {
    read.problem('overwrite-aws-profile', 'only applies with aws-profile, profiles or refresh-credentials');
  }
  if (inputs.profiles.length > 0 && inputs.role === undefined && inputs.outputEnvCredentials) {
    read.problem('output-env-credentials', 'needs role-to-assume when profiles are given: several roles have no single set of credentials to export');
  }
}

/** refresh-credentials: a later step must be able to mint a fresh token, so stored or chained keys cannot refresh. */
function checkRefresh(read: InputReader, inputs: Inputs): void {
  if (!inputs.refreshCredentials) return;
  if (inputs.role === undefined) read.problem('refresh-credentials', 'needs role-to-assume: the role a later step re-assumes when its credentials run out');
  const source = chooseSource(inputs)?.kind;
  if (inputs.keys !== undefined || inputs.roleChaining || source === 'ambient') {
    read.problem(
      'refresh-credentials',
      "only works with GitHub OIDC or web-identity-token-file: a later step can mint a fresh token, but stored keys, chained credentials or the runner's own would have to be written to disk"
    );
  }
  // The aws-profile mode writes a credential_process command line, which botocore splits with MSVC
  // rules and the JS SDK runs through cmd.exe on Windows: no quoting serves both, so refuse it there.
  if (inputs.awsProfile !== undefined && inputs.environment.platform === 'win32') {
    read.problem(
      'aws-profile',
      'with refresh-credentials writes a credential_process command line, which Windows tools cannot all run; leave aws-profile out: the local credentials server refresh-credentials starts works on every operating system'
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
  if (source === undefined) return malformedEnvironment(read, inputs, assumes);
  checkPlainHttp(read, inputs, assumes && !isSigned(source) && source.kind !== 'ambient');
  if (!assumes) return;
  if (inputs.role?.kind === 'name' && !isSigned(source)) {
    read.problem(
      'role-to-assume',
      `'${inputs.role.name}' is a role name, not an ARN; with ${source.kind === 'oidc' ? 'OIDC' : 'a web identity token file'} there is no source account to complete it, so give the full ARN (arn:aws:iam::<account>:role/${inputs.role.name})`
    );
  }
  checkTags(read, inputs, isSigned(source) && !inputs.skipSessionTagging);
  if (!isSigned(source) && inputs.sourceIdentity !== undefined && inputs.roleChain.length === 0) {
    read.problem('source-identity', 'only applies to AssumeRole (stored keys, role-chaining, or a role-chain hop); AssumeRoleWithWebIdentity takes a source identity only from the token');
  }
  // Warnings, not failures: configure-aws-credentials accepts these here, so a drop-in swap must too.
  if (!isSigned(source) && inputs.externalId !== undefined) {
    inputs.warnings.push('role-external-id does not apply and is not sent: it belongs to AssumeRole (stored keys or role-chaining); AssumeRoleWithWebIdentity has no external id');
  }
}

/**
 * A web identity token is a bearer credential: it goes to STS over https, or in clear text only to
 * this machine. Signed calls (stored keys, the runner's own identity) may use plain http, as local
 * emulators on a service container's network need (http://localstack:4566), with a warning: the
 * credentials STS answers cross that network unencrypted.
 */
function checkPlainHttp(read: InputReader, inputs: Inputs, sendsToken: boolean): void {
  const endpoint = inputs.stsEndpoint;
  if (endpoint === undefined) return;
  const url = new URL(endpoint.url);
  if (url.protocol !== 'http:' || isLoopback(url.hostname)) return;
  const shown = `'${preview(endpoint.url)}'${endpoint.origin === 'sts-endpoint' ? '' : ` (from ${endpoint.origin})`}`;
  if (sendsToken) {
    read.problem(
      'sts-endpoint',
      `${shown} must use https: a web identity token would cross the network in clear text (plain http is allowed for it only to this machine: localhost, 127.0.0.1, ::1)`
    );
  } else {
    inputs.warnings.push(
      `sts-endpoint ${shown} is plain http: the credentials STS answers cross the network unencrypted. Use it only for a local emulator (LocalStack, moto) on a network you trust.`
    );
  }
}

function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Credentials in the environment that no signature could carry, where the run would use them. */
function malformedEnvironment(read: InputReader, inputs: Inputs, assumes: boolean): void {
  if (!assumes && inputs.unsetCurrentCredentials) return; // only cleared
  const name: InputName = inputs.roleChaining ? 'role-chaining' : inputs.forceSkipOidc ? 'force-skip-oidc' : assumes ? 'role-to-assume' : 'aws-region';
  read.problem(name, 'AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN in the environment must be printable ASCII without spaces or line breaks');
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
