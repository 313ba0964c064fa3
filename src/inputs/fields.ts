// One reader per input (or group of inputs): each turns raw text into a typed value or a problem.
import { isAbsolute, resolve } from 'node:path';
import { ACCOUNT_ID_PATTERN, REGION_PATTERN, ROLE_ARN_PATTERN, TAG_KEY_PATTERN } from '../aws-names.js';
import { hasFipsSts, partitionEndpoint, type EndpointOrigin, type StsEndpoint } from '../endpoints.js';
import { STS_FIPS_REGIONS } from '../partitions.js';
import type { ConfigFileVariant } from './aws-config.js';
import { preview } from '../log-text.js';
import type { Env, RoleReference, StaticCredentials } from '../types.js';
import { DEFAULTS, type InputName } from './names.js';
import { PROFILE_NAME_PATTERN } from './profile-specs.js';
import { InputReader, listProblems, nonEmpty } from './reader.js';

const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
const POLICY_ARN_PATTERN = /^arn:[a-z-]+:iam::(\d{12}|aws):policy\/[\x21-\x7e]{1,2000}$/;
const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;
const ACCESS_KEY_ID_PATTERN = /^\w{16,128}$/;
/** Secrets travel in a signature or an HTTP header: printable ASCII, no spaces or line breaks. */
const SECRET_PATTERN = /^[\x21-\x7e]+$/;
/** An OIDC client id (IAM allows 1-255 characters); printable ASCII keeps it to one log line. */
const AUDIENCE_PATTERN = /^[\x21-\x7e]{1,255}$/;
const POLICY_CHARS = /^[\t\n\r\x20-\xff]*$/;

export interface LegacyValues {
  roleArn?: string;
  durationSeconds?: number;
  notices: string[];
  warnings: string[];
}

/** ROLE_ARN and DURATION_SECONDS from docker-based assume-role actions (ROLE_SESSION_NAME: env-inputs.ts), when no input says otherwise. */
export function legacyEnvironment(read: InputReader, env: Env): LegacyValues {
  const notices: string[] = [];
  const warnings: string[] = [];
  const take = (variable: string, input: InputName, inputDefault?: string): string | undefined => {
    const value = nonEmpty(env[variable]);
    const given = read.text(input);
    if (value === undefined || (given !== undefined && given !== inputDefault)) return undefined;
    notices.push(`Using ${variable} from the environment as ${input}; set the ${input} input instead`);
    return value;
  };
  const roleArn = take('ROLE_ARN', 'role-to-assume');
  const duration = take('DURATION_SECONDS', 'role-duration-seconds', String(DEFAULTS.durationSeconds));
  // A warning, not a notice: it re-enables ::set-env and ::add-path for every later step of the job.
  if (nonEmpty(env.ACTIONS_ALLOW_UNSECURE_COMMANDS) !== undefined) {
    warnings.push('ACTIONS_ALLOW_UNSECURE_COMMANDS is set, but this action never needs it: remove it, it re-enables ::set-env for every step');
  }
  let durationSeconds: number | undefined;
  if (duration !== undefined) {
    durationSeconds = Number(duration);
    if (!/^\d+$/.test(duration) || durationSeconds < 900 || durationSeconds > 43200) {
      read.problem('role-duration-seconds', `DURATION_SECONDS from the environment must be a whole number from 900 to 43200, got '${preview(duration)}'`);
    }
  }
  return { roleArn, durationSeconds, notices, warnings };
}

export function readProfileName(read: InputReader): string | undefined {
  const name = read.text('aws-profile');
  if (name !== undefined && !PROFILE_NAME_PATTERN.test(name)) {
    read.problem('aws-profile', `must be 1-64 letters, digits or _.+@- (no spaces, brackets or path separators), got '${preview(name)}'`);
  }
  return name;
}

export function readRegion(read: InputReader, env: Env): string {
  const region = read.text('aws-region') ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  // Whether a region is needed depends on the other inputs: see checkCombinations.
  if (region === undefined) return '';
  if (!REGION_PATTERN.test(region)) read.problem('aws-region', `'${preview(region)}' is not an AWS region name such as us-east-1`);
  return region;
}

export function readRole(read: InputReader, fallback: string | undefined): RoleReference | undefined {
  const value = read.text('role-to-assume') ?? fallback;
  if (value === undefined) return undefined;
  if (ROLE_ARN_PATTERN.test(value)) return { kind: 'arn', arn: value };
  if (ROLE_NAME_PATTERN.test(value)) return { kind: 'name', name: value };
  read.problem(
    'role-to-assume',
    `'${preview(value)}' is not a role ARN (arn:<partition>:iam::<12-digit account>:role/[path/]<name>, name of 1-64 letters, digits or _+=,.@-) or a bare role name`
  );
  return undefined;
}

export function readSessionName(read: InputReader): string {
  const name = read.text('role-session-name') ?? DEFAULTS.sessionName;
  if (!SESSION_NAME_PATTERN.test(name)) {
    read.problem('role-session-name', `must be 2-64 characters of letters, digits and _+=,.@- (STS's rule), got '${preview(name)}'`);
  }
  return name;
}

export function readKeys(read: InputReader): StaticCredentials | undefined {
  const accessKeyId = read.text('aws-access-key-id');
  const secretAccessKey = read.text('aws-secret-access-key');
  const sessionToken = read.text('aws-session-token');
  if (accessKeyId === undefined) {
    if (secretAccessKey !== undefined) read.problem('aws-secret-access-key', 'is set but aws-access-key-id is not; give both');
    if (sessionToken !== undefined) read.problem('aws-session-token', 'is set but aws-access-key-id is not; give the key id and secret too');
    return undefined;
  }
  if (!ACCESS_KEY_ID_PATTERN.test(accessKeyId)) {
    read.problem('aws-access-key-id', 'must be 16-128 letters or digits (like AKIA… or ASIA…); check the secret it comes from');
  }
  if (secretAccessKey === undefined) {
    read.problem('aws-secret-access-key', 'is required when aws-access-key-id is set');
    return undefined;
  }
  for (const [name, value] of [
    ['aws-secret-access-key', secretAccessKey],
    ['aws-session-token', sessionToken]
  ] as const) {
    if (value !== undefined && !SECRET_PATTERN.test(value)) {
      read.problem(name, 'must be printable ASCII without spaces or line breaks; check the secret it comes from');
    }
  }
  return sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
}

export function readTokenFile(read: InputReader, env: Env): string | undefined {
  const file = read.text('web-identity-token-file');
  if (file === undefined) return undefined;
  if (/[\0\r\n]/.test(file)) {
    read.problem('web-identity-token-file', 'must be a single path');
    return undefined;
  }
  if (isAbsolute(file)) return file;
  const workspace = nonEmpty(env.GITHUB_WORKSPACE);
  if (workspace === undefined) {
    read.problem('web-identity-token-file', 'is a relative path but GITHUB_WORKSPACE is not set; give an absolute path');
    return undefined;
  }
  return resolve(workspace, file);
}

export function readAudience(read: InputReader): string {
  const audience = read.text('audience') ?? DEFAULTS.audience;
  if (!AUDIENCE_PATTERN.test(audience)) {
    read.problem('audience', `must be 1-255 printable ASCII characters without spaces, got '${preview(audience)}'`);
  }
  return audience;
}

export function readExternalId(read: InputReader): string | undefined {
  const id = read.text('role-external-id');
  if (id !== undefined && !EXTERNAL_ID_PATTERN.test(id)) {
    read.problem('role-external-id', "must be 2-1224 characters of letters, digits and _+=,.@:/- (STS's rule)");
  }
  return id;
}

/** STS's rule for SourceIdentity: 2-64 of [\w+=,.@-], and never the reserved aws: prefix. */
export function readSourceIdentity(read: InputReader): string | undefined {
  const value = read.text('source-identity');
  if (value === undefined) return undefined;
  if (/^aws:/i.test(value)) read.problem('source-identity', `must not start with aws: (reserved by AWS), got '${preview(value)}'`);
  else if (!SESSION_NAME_PATTERN.test(value)) {
    read.problem('source-identity', `must be 2-64 characters of letters, digits and _+=,.@- (STS's rule; a bot's name such as dependabot[bot] is not), got '${preview(value)}'`);
  }
  return value;
}

export function readInlinePolicy(read: InputReader): string | undefined {
  const text = read.text('inline-session-policy');
  if (text === undefined) return undefined;
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    read.problem('inline-session-policy', 'is not valid JSON');
    return undefined;
  }
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy) || !('Statement' in policy)) {
    read.problem('inline-session-policy', 'must be a JSON policy document: an object with a Statement');
    return undefined;
  }
  // STS counts the plain text against its 2048-character limit, so send the policy without whitespace.
  const compact = JSON.stringify(policy);
  if (compact.length > 2048) read.problem('inline-session-policy', `is ${compact.length} characters without whitespace; STS allows 2048`);
  if (!POLICY_CHARS.test(compact)) read.problem('inline-session-policy', 'may only hold tab, newline and characters U+0020-U+00FF');
  return compact;
}

export function readManagedPolicies(read: InputReader): string[] {
  const arns = read.lines('managed-session-policies');
  listProblems(
    read,
    'managed-session-policies',
    arns.filter(arn => !POLICY_ARN_PATTERN.test(arn)),
    arn => `'${preview(arn)}' is not a managed policy ARN (arn:aws:iam::<account or aws>:policy/<name>)`
  );
  if (arns.length > 10) read.problem('managed-session-policies', `lists ${arns.length} policies; STS allows at most 10`);
  return arns;
}

export function readTransitiveTagKeys(read: InputReader): string[] {
  const keys = read.lines('transitive-tag-keys');
  listProblems(
    read,
    'transitive-tag-keys',
    keys.filter(key => !TAG_KEY_PATTERN.test(key)),
    key => `'${preview(key)}' is not a valid tag key`
  );
  if (keys.length > 50) read.problem('transitive-tag-keys', `lists ${keys.length} keys; STS allows at most 50`);
  return keys;
}

export function readRoleChain(read: InputReader): string[] {
  const arns = read.lines('role-chain');
  // Bounded like every echoed list: a few quoted lines, then a count, whatever the input's size.
  const bad = arns.flatMap((arn, index) => (ROLE_ARN_PATTERN.test(arn) ? [] : [`line ${index + 1}, '${preview(arn)}',`]));
  listProblems(read, 'role-chain', bad, line => `${line} is not a role ARN (arn:<partition>:iam::<12-digit account>:role/[path/]<name>); each hop needs the full ARN`);
  const max = DEFAULTS.maxChainHops;
  if (arns.length > max) read.problem('role-chain', `lists ${arns.length} roles; at most ${max} hops are allowed`);
  return arns;
}

export function readAccountIds(read: InputReader): string[] {
  const ids = read.list('allowed-account-ids');
  listProblems(
    read,
    'allowed-account-ids',
    ids.filter(id => !ACCOUNT_ID_PATTERN.test(id)),
    id => `'${preview(id)}' is not a 12-digit AWS account id`
  );
  return ids;
}

export function readMaxAttempts(read: InputReader): number {
  const attempts = read.integer('retry-max-attempts', DEFAULTS.maxAttempts, 1, 100);
  return read.boolean('disable-retry', false) ? 1 : attempts;
}

/** The explicit endpoints, in the order they win; the SDK's own lookup (config files included) is never used. */
const ENDPOINT_SOURCES = ['AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL'] as const;

/**
 * Where STS is: sts-endpoint, else AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else the SDK's rule
 * for the region's partition with AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT. Undefined when
 * there is no region to resolve for, or a problem was reported.
 */
export function readEndpoint(read: InputReader, env: Env, region: string, config: ConfigFileVariant = {}, notices: string[] = []): StsEndpoint | undefined {
  const variant = {
    fips: readVariantSetting(read, 'AWS_USE_FIPS_ENDPOINT', nonEmpty(env.AWS_USE_FIPS_ENDPOINT), config.fips),
    dualStack: readVariantSetting(read, 'AWS_USE_DUALSTACK_ENDPOINT', nonEmpty(env.AWS_USE_DUALSTACK_ENDPOINT), config.dualStack)
  };
  const given = read.text('sts-endpoint');
  const named = given !== undefined ? { url: given, origin: 'sts-endpoint' as const } : fromEnvironment(env);
  if (named !== undefined) {
    const url = checkEndpointUrl(read, named.url, named.origin);
    // The SDK refuses FIPS or dual-stack with a custom endpoint; the workflow named this one, so it is used as given.
    const asked = [variant.fips ? 'FIPS' : '', variant.dualStack ? 'dual-stack' : ''].filter(v => v !== '').join(' and ');
    if (url !== undefined && asked !== '') notices.push(`${asked} asked for, but ${named.origin} names the STS endpoint, which is used as given: make sure it is a ${asked} endpoint`);
    return url === undefined ? undefined : { url, origin: named.origin, fips: false, dualStack: false };
  }
  if (region === '' || !REGION_PATTERN.test(region)) return undefined;
  if (variant.fips && !hasFipsSts(region)) {
    const asker = nonEmpty(env.AWS_USE_FIPS_ENDPOINT) !== undefined ? 'AWS_USE_FIPS_ENDPOINT' : 'use_fips_endpoint in the shared config file';
    read.problem('aws-region', `${asker} is true, but STS has no FIPS endpoint in ${region} (only in ${STS_FIPS_REGIONS.join(', ')}); use one of those regions, or set sts-endpoint`);
    return undefined;
  }
  const resolved = partitionEndpoint(region, variant);
  if ('problem' in resolved) {
    read.problem('aws-region', `${resolved.problem}, as AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT ask for ${region}`);
    return undefined;
  }
  return { url: resolved.url, origin: 'partition', ...variant };
}

function fromEnvironment(env: Env): { url: string; origin: (typeof ENDPOINT_SOURCES)[number] } | undefined {
  // As in the SDK: the runner may say to ignore configured endpoints (the sts-endpoint input still counts).
  if (nonEmpty(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS) === 'true') return undefined;
  for (const origin of ENDPOINT_SOURCES) {
    const url = nonEmpty(env[origin]);
    if (url !== undefined) return { url, origin };
  }
  return undefined;
}

/**
 * `true` or `false` as the SDK reads them (it fails on anything else): the variable, else the active
 * profile's use_fips_endpoint / use_dualstack_endpoint; unset is false.
 */
function readVariantSetting(read: InputReader, name: string, fromEnv: string | undefined, fromConfig: string | undefined): boolean {
  const value = fromEnv ?? fromConfig;
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  const where = fromEnv !== undefined ? name : `${name.toLowerCase().replace(/^aws_/, '')} in the shared config file`;
  read.problem('aws-region', `${where} must be true or false, as the AWS SDKs read it, got '${preview(value)}'`);
  return false;
}

/** Every named endpoint, whoever named it: no credentials, no whitespace, https unless on this machine. */
function checkEndpointUrl(read: InputReader, endpoint: string, origin: EndpointOrigin): string | undefined {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  const withCredentials = url !== undefined && (url.username !== '' || url.password !== '');
  // A DNS name has at most 253 characters; a longer one would only fail later, at the lookup, after the OIDC request.
  const tooLong = endpoint.length > 2048 || (url?.hostname.length ?? 0) > 253;
  // Never quote a URL that carries a password.
  const shown = `${withCredentials ? 'the URL given' : `'${preview(endpoint)}'`}${origin === 'sts-endpoint' ? '' : ` (from ${origin})`}`;
  // The URL parser drops tabs and line breaks silently; a value holding them is not the URL it parses to.
  if (url === undefined || !['http:', 'https:'].includes(url.protocol) || withCredentials || tooLong || /[\x00-\x20\x7f]/.test(endpoint)) {
    read.problem('sts-endpoint', `${shown} is not an http(s) URL without credentials`);
    return undefined;
  }
  // Plain http elsewhere than this machine depends on the source (a token must not cross in clear): rules.ts.
  return endpoint;
}

/** Rules that involve more than one input. */
