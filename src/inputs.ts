import { isAbsolute, resolve } from 'node:path';
import { ACCOUNT_ID_PATTERN, REGION_PATTERN, ROLE_ARN_PATTERN, TAG_KEY_PATTERN } from './aws-names.js';
import { parseCustomTags } from './custom-tags.js';
import { parseProfileSpecs, PROFILE_NAME_PATTERN, type ProfileSpec } from './profiles.js';
import { readProxySettings, type ProxySettings } from './proxy.js';
import type { Tag } from './sts.js';

/** Every input this action reads, by the name a workflow uses in `with:`. */
export const INPUT_NAMES = [
  'aws-region',
  'role-to-assume',
  'role-session-name',
  'role-duration-seconds',
  'aws-access-key-id',
  'aws-secret-access-key',
  'aws-session-token',
  'web-identity-token-file',
  'role-chaining',
  'audience',
  'role-external-id',
  'inline-session-policy',
  'managed-session-policies',
  'role-skip-session-tagging',
  'transitive-tag-keys',
  'mask-aws-account-id',
  'output-credentials',
  'output-env-credentials',
  'unset-current-credentials',
  'allowed-account-ids',
  'disable-retry',
  'retry-max-attempts',
  'sts-endpoint',
  'aws-profile',
  'overwrite-aws-profile',
  'profiles',
  'http-proxy',
  'no-proxy',
  'custom-tags',
  'special-characters-workaround',
  'use-existing-credentials',
  'force-skip-oidc',
  'action-timeout-s',
  'role-chain',
  'refresh-credentials',
  'summary'
] as const;
export type InputName = (typeof INPUT_NAMES)[number];

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Inputs {
  region: string;
  /** A full role ARN, or a bare role name that only a known source account can complete. */
  role?: RoleReference;
  sessionName: string;
  durationSeconds: number;
  keys?: StaticCredentials;
  webIdentityTokenFile?: string;
  roleChaining: boolean;
  audience: string;
  externalId?: string;
  inlineSessionPolicy?: string;
  managedSessionPolicies: string[];
  skipSessionTagging: boolean;
  transitiveTagKeys: string[];
  maskAccountId: boolean;
  outputCredentials: boolean;
  outputEnvCredentials: boolean;
  unsetCurrentCredentials: boolean;
  allowedAccountIds: string[];
  maxAttempts: number;
  stsEndpoint?: string;
  /** Write the role's (or the keys') credentials to this profile of the shared files. */
  awsProfile?: string;
  overwriteProfile: boolean;
  /** Further roles, each assumed from the same source and written to its own profile. */
  profiles: ProfileSpec[];
  proxy: ProxySettings;
  customTags: Tag[];
  specialCharactersWorkaround: boolean;
  useExistingCredentials: boolean;
  forceSkipOidc: boolean;
  actionTimeoutSeconds: number;
  /** Things a person should change in the workflow, though the run can go on. */
  notices: string[];
  /** Role ARNs assumed in order after role-to-assume, each signed with the previous hop's credentials. */
  roleChain: string[];
  refreshCredentials: boolean;
  summary: boolean;
}

export type RoleReference = { kind: 'arn'; arn: string } | { kind: 'name'; name: string };

export type Env = Readonly<Record<string, string | undefined>>;

/** All problems with the inputs, reported together so one run shows every fix needed. */
export class InputError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(
      problems.length === 1
        ? `Invalid input: ${problems[0]}`
        : `${problems.length} invalid inputs:\n${problems.map(p => `- ${p}`).join('\n')}`
    );
    this.name = 'InputError';
    this.problems = problems;
  }
}

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
const TRUE_WORDS = ['true', 'True', 'TRUE'];
const FALSE_WORDS = ['false', 'False', 'FALSE'];

export const DEFAULTS = {
  sessionName: 'GitHubActions',
  durationSeconds: 3600,
  chainedMaxSeconds: 3600,
  maxChainHops: 10,
  audience: 'sts.amazonaws.com',
  maxAttempts: 12
} as const;

/** The variable the runner sets for an input: spaces become `_`, hyphens stay, upper case. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Reads inputs from the step environment; pure, so it can run before anything touches the network. */
export class InputReader {
  readonly problems: string[] = [];
  private readonly env: Env;
  constructor(env: Env) {
    this.env = env;
  }

  text(name: InputName): string | undefined {
    const value = (this.env[inputVariable(name)] ?? '').trim();
    return value === '' ? undefined : value;
  }

  /** Raw, untrimmed; secrets are taken as given apart from surrounding whitespace. */
  lines(name: InputName): string[] {
    return (this.text(name) ?? '')
      .split(/\r?\n/)
      .map(l => l.trim())
      .filter(l => l !== '');
  }

  list(name: InputName): string[] {
    return (this.text(name) ?? '')
      .split(/[,\r\n]/)
      .map(l => l.trim())
      .filter(l => l !== '');
  }

  boolean(name: InputName, fallback: boolean): boolean {
    const value = this.text(name);
    if (value === undefined) return fallback;
    if (TRUE_WORDS.includes(value)) return true;
    if (FALSE_WORDS.includes(value)) return false;
    this.problem(name, `must be true or false (YAML 1.2 core schema: true, True, TRUE, false, False, FALSE), got '${preview(value)}'`);
    return fallback;
  }

  integer(name: InputName, fallback: number, min: number, max: number): number {
    const value = this.text(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value)) {
      this.problem(name, `must be a whole number from ${min} to ${max}, got '${preview(value)}'`);
      return fallback;
    }
    const n = Number(value);
    if (n < min || n > max) this.problem(name, `must be from ${min} to ${max}, got ${preview(value)}`);
    return n;
  }

  problem(name: InputName, rule: string): void {
    this.problems.push(`${name}: ${rule}`);
  }
}

/** Shortens and neutralises user text quoted back in an error (no newlines, bounded length). */
export function preview(value: string, max = 80): string {
  const flat = value.replace(/[\r\n]/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}… (${value.length} characters)` : flat;
}

export function parseInputs(env: Env): Inputs {
  const read = new InputReader(env);
  const legacy = legacyEnvironment(read, env);
  const roleChaining = read.boolean('role-chaining', false);
  const awsProfile = readProfileName(read);
  const profiles = parseProfileSpecs(read.lines('profiles'), (rule) => read.problem('profiles', rule));
  const inputs: Inputs = {
    region: readRegion(read, env),
    role: readRole(read, legacy.roleArn),
    sessionName: readSessionName(read, legacy.sessionName),
    durationSeconds: legacy.durationSeconds ?? read.integer('role-duration-seconds', DEFAULTS.durationSeconds, 900, 43200),
    keys: readKeys(read),
    webIdentityTokenFile: readTokenFile(read, env),
    roleChaining,
    audience: readAudience(read),
    externalId: readExternalId(read),
    inlineSessionPolicy: readInlinePolicy(read),
    managedSessionPolicies: readManagedPolicies(read),
    skipSessionTagging: read.boolean('role-skip-session-tagging', false),
    transitiveTagKeys: readTransitiveTagKeys(read),
    maskAccountId: read.boolean('mask-aws-account-id', false),
    outputCredentials: read.boolean('output-credentials', false),
    // Writing a profile means the shared files are the sink; the environment only when asked.
    outputEnvCredentials: read.boolean('output-env-credentials', awsProfile === undefined && profiles.length === 0),
    unsetCurrentCredentials: read.boolean('unset-current-credentials', false),
    allowedAccountIds: readAccountIds(read),
    maxAttempts: readMaxAttempts(read),
    stsEndpoint: readEndpoint(read, env),
    awsProfile,
    overwriteProfile: read.boolean('overwrite-aws-profile', false),
    profiles,
    proxy: readProxySettings(read.text('http-proxy'), read.text('no-proxy'), env, (rule) => read.problem('http-proxy', rule)),
    customTags: parseCustomTags(read.text('custom-tags'), (rule) => read.problem('custom-tags', rule)),
    specialCharactersWorkaround: read.boolean('special-characters-workaround', false),
    useExistingCredentials: read.boolean('use-existing-credentials', false),
    forceSkipOidc: read.boolean('force-skip-oidc', false),
    actionTimeoutSeconds: read.integer('action-timeout-s', 0, 0, 21600),
    notices: legacy.notices,
    roleChain: readRoleChain(read),
    refreshCredentials: read.boolean('refresh-credentials', false),
    summary: read.boolean('summary', true)
  };
  checkCombinations(read, inputs);
  if (read.problems.length > 0) throw new InputError(read.problems);
  return inputs;
}

interface LegacyValues {
  roleArn?: string;
  sessionName?: string;
  durationSeconds?: number;
  notices: string[];
}

/** ROLE_ARN, ROLE_SESSION_NAME and DURATION_SECONDS from docker-based assume-role actions, when no input says otherwise. */
function legacyEnvironment(read: InputReader, env: Env): LegacyValues {
  const notices: string[] = [];
  const take = (variable: string, input: InputName, inputDefault?: string): string | undefined => {
    const value = nonEmpty(env[variable]);
    const given = read.text(input);
    if (value === undefined || (given !== undefined && given !== inputDefault)) return undefined;
    notices.push(`Using ${variable} from the environment as ${input}; set the ${input} input instead`);
    return value;
  };
  const roleArn = take('ROLE_ARN', 'role-to-assume');
  const sessionName = take('ROLE_SESSION_NAME', 'role-session-name', DEFAULTS.sessionName);
  const duration = take('DURATION_SECONDS', 'role-duration-seconds', String(DEFAULTS.durationSeconds));
  if (nonEmpty(env.ACTIONS_ALLOW_UNSECURE_COMMANDS) !== undefined) {
    notices.push('ACTIONS_ALLOW_UNSECURE_COMMANDS is set, but this action never needs it: remove it, it re-enables ::set-env for every step');
  }
  let durationSeconds: number | undefined;
  if (duration !== undefined) {
    durationSeconds = Number(duration);
    if (!/^\d+$/.test(duration) || durationSeconds < 900 || durationSeconds > 43200) {
      read.problem('role-duration-seconds', `DURATION_SECONDS from the environment must be a whole number from 900 to 43200, got '${preview(duration)}'`);
    }
  }
  return { roleArn, sessionName, durationSeconds, notices };
}

function readProfileName(read: InputReader): string | undefined {
  const name = read.text('aws-profile');
  if (name !== undefined && !PROFILE_NAME_PATTERN.test(name)) {
    read.problem('aws-profile', `must be 1-64 letters, digits or _.+@- (no spaces, brackets or path separators), got '${preview(name)}'`);
  }
  return name;
}

function readRegion(read: InputReader, env: Env): string {
  const region = read.text('aws-region') ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  // Whether a region is needed depends on the other inputs: see checkCombinations.
  if (region === undefined) return '';
  if (!REGION_PATTERN.test(region)) read.problem('aws-region', `'${preview(region)}' is not an AWS region name such as us-east-1`);
  return region;
}

function readRole(read: InputReader, fallback: string | undefined): RoleReference | undefined {
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

function readSessionName(read: InputReader, fallback: string | undefined): string {
  const name = fallback ?? read.text('role-session-name') ?? DEFAULTS.sessionName;
  if (!SESSION_NAME_PATTERN.test(name)) {
    read.problem('role-session-name', `must be 2-64 characters of letters, digits and _+=,.@- (STS's rule), got '${preview(name)}'`);
  }
  return name;
}

function readKeys(read: InputReader): StaticCredentials | undefined {
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
  for (const [name, value] of [['aws-secret-access-key', secretAccessKey], ['aws-session-token', sessionToken]] as const) {
    if (value !== undefined && !SECRET_PATTERN.test(value)) {
      read.problem(name, 'must be printable ASCII without spaces or line breaks; check the secret it comes from');
    }
  }
  return sessionToken === undefined ? { accessKeyId, secretAccessKey } : { accessKeyId, secretAccessKey, sessionToken };
}

function readTokenFile(read: InputReader, env: Env): string | undefined {
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

function readAudience(read: InputReader): string {
  const audience = read.text('audience') ?? DEFAULTS.audience;
  if (!AUDIENCE_PATTERN.test(audience)) {
    read.problem('audience', `must be 1-255 printable ASCII characters without spaces, got '${preview(audience)}'`);
  }
  return audience;
}

function readExternalId(read: InputReader): string | undefined {
  const id = read.text('role-external-id');
  if (id !== undefined && !EXTERNAL_ID_PATTERN.test(id)) {
    read.problem('role-external-id', "must be 2-1224 characters of letters, digits and _+=,.@:/- (STS's rule)");
  }
  return id;
}

function readInlinePolicy(read: InputReader): string | undefined {
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

/** One problem per bad entry of a list input, but at most a few: a 100 KB list must not become a 100 KB error. */
function listProblems(read: InputReader, name: InputName, bad: string[], rule: (entry: string) => string): void {
  const shown = 5;
  for (const entry of bad.slice(0, shown)) read.problem(name, rule(entry));
  if (bad.length > shown) read.problem(name, `${bad.length - shown} more entries like these`);
}

function readManagedPolicies(read: InputReader): string[] {
  const arns = read.lines('managed-session-policies');
  listProblems(read, 'managed-session-policies', arns.filter(arn => !POLICY_ARN_PATTERN.test(arn)), arn =>
    `'${preview(arn)}' is not a managed policy ARN (arn:aws:iam::<account or aws>:policy/<name>)`
  );
  if (arns.length > 10) read.problem('managed-session-policies', `lists ${arns.length} policies; STS allows at most 10`);
  return arns;
}

function readTransitiveTagKeys(read: InputReader): string[] {
  const keys = read.lines('transitive-tag-keys');
  listProblems(read, 'transitive-tag-keys', keys.filter(key => !TAG_KEY_PATTERN.test(key)), key => `'${preview(key)}' is not a valid tag key`);
  if (keys.length > 50) read.problem('transitive-tag-keys', `lists ${keys.length} keys; STS allows at most 50`);
  return keys;
}

function readRoleChain(read: InputReader): string[] {
  const arns = read.lines('role-chain');
  arns.forEach((arn, index) => {
    if (!ROLE_ARN_PATTERN.test(arn)) {
      read.problem('role-chain', `line ${index + 1}, '${preview(arn)}', is not a role ARN (arn:<partition>:iam::<12-digit account>:role/[path/]<name>); each hop needs the full ARN`);
    }
  });
  const max = DEFAULTS.maxChainHops;
  if (arns.length > max) read.problem('role-chain', `lists ${arns.length} roles; at most ${max} hops are allowed`);
  return arns;
}

function readAccountIds(read: InputReader): string[] {
  const ids = read.list('allowed-account-ids');
  listProblems(read, 'allowed-account-ids', ids.filter(id => !ACCOUNT_ID_PATTERN.test(id)), id => `'${preview(id)}' is not a 12-digit AWS account id`);
  return ids;
}

function readMaxAttempts(read: InputReader): number {
  const attempts = read.integer('retry-max-attempts', DEFAULTS.maxAttempts, 1, 100);
  return read.boolean('disable-retry', false) ? 1 : attempts;
}

function readEndpoint(read: InputReader, env: Env): string | undefined {
  const fromInput = read.text('sts-endpoint');
  const endpoint = fromInput ?? nonEmpty(env.AWS_ENDPOINT_URL_STS);
  if (endpoint === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  const withCredentials = url !== undefined && (url.username !== '' || url.password !== '');
  // A DNS name has at most 253 characters; a longer one would only fail later, at the lookup, after the OIDC request.
  const tooLong = endpoint.length > 2048 || (url?.hostname.length ?? 0) > 253;
  // The URL parser drops tabs and line breaks silently; a value holding them is not the URL it parses to.
  if (url === undefined || !['http:', 'https:'].includes(url.protocol) || withCredentials || tooLong || /[\x00-\x20\x7f]/.test(endpoint)) {
    // Never quote a URL that carries a password.
    const shown = withCredentials ? 'the URL given' : `'${preview(endpoint)}'`;
    const source = fromInput === undefined ? ' (from AWS_ENDPOINT_URL_STS)' : '';
    read.problem('sts-endpoint', `${shown}${source} is not an http(s) URL without credentials`);
    return undefined;
  }
  return endpoint;
}

/** Rules that involve more than one input. */
function checkCombinations(read: InputReader, inputs: Inputs): void {
  const assumes = inputs.role !== undefined || inputs.profiles.length > 0;
  const wipeOnly = inputs.unsetCurrentCredentials && !assumes && inputs.keys === undefined;
  if (inputs.region === '' && !wipeOnly) read.problem('aws-region', 'is required (or set AWS_REGION in the environment), e.g. us-east-1');
  checkSources(read, inputs, assumes);
  checkProfiles(read, inputs);
  checkChainAndRefresh(read, inputs);
  if (!assumes) checkRoleOnlyInputs(read, inputs);
}

function checkSources(read: InputReader, inputs: Inputs, assumes: boolean): void {
  const chainedCap = DEFAULTS.chainedMaxSeconds;
  if (inputs.roleChaining && inputs.durationSeconds > chainedCap) {
    read.problem('role-duration-seconds', `must be at most ${chainedCap} with role-chaining: AWS limits chained role sessions to one hour`);
  }
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

/** role-chain and refresh-credentials: rules AWS or a later step would otherwise break on, much later. */
function checkChainAndRefresh(read: InputReader, inputs: Inputs): void {
  const chainedCap = DEFAULTS.chainedMaxSeconds;
  if (inputs.roleChain.length > 0 && inputs.durationSeconds > chainedCap && !inputs.roleChaining) {
    read.problem('role-duration-seconds', `must be at most ${chainedCap} with role-chain: AWS limits chained role sessions to one hour per hop`);
  }
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
  'role-chain'
];

function checkRoleOnlyInputs(read: InputReader, inputs: Inputs): void {
  for (const name of ROLE_ONLY_INPUTS) {
    if (read.text(name) !== undefined) read.problem(name, 'only applies when role-to-assume is set');
  }
  if (inputs.specialCharactersWorkaround) read.problem('special-characters-workaround', 'only applies when role-to-assume is set');
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
