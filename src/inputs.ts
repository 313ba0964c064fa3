import { isAbsolute, resolve } from 'node:path';

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
  'sts-endpoint'
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

export const ROLE_ARN_PATTERN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):iam::(\d{12}):role\/((?:[\x21-\x7e]{1,510}\/)?)([\w+=,.@-]{1,64})$/;
const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
const POLICY_ARN_PATTERN = /^arn:[a-z-]+:iam::(\d{12}|aws):policy\/[\x21-\x7e]{1,2000}$/;
const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;
const ACCESS_KEY_ID_PATTERN = /^\w{16,128}$/;
const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** Secrets travel in a signature or an HTTP header: printable ASCII, no spaces or line breaks. */
const SECRET_PATTERN = /^[\x21-\x7e]+$/;
/** An OIDC client id (IAM allows 1-255 characters); printable ASCII keeps it to one log line. */
const AUDIENCE_PATTERN = /^[\x21-\x7e]{1,255}$/;
export const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const POLICY_CHARS = /^[\t\n\r\x20-\xff]*$/;
const TRUE_WORDS = ['true', 'True', 'TRUE'];
const FALSE_WORDS = ['false', 'False', 'FALSE'];

export const DEFAULTS = {
  sessionName: 'GitHubActions',
  durationSeconds: 3600,
  chainedMaxSeconds: 3600,
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
  const roleChaining = read.boolean('role-chaining', false);
  const inputs: Inputs = {
    region: readRegion(read, env),
    role: readRole(read),
    sessionName: readSessionName(read),
    durationSeconds: read.integer('role-duration-seconds', DEFAULTS.durationSeconds, 900, 43200),
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
    outputEnvCredentials: read.boolean('output-env-credentials', true),
    unsetCurrentCredentials: read.boolean('unset-current-credentials', false),
    allowedAccountIds: readAccountIds(read),
    maxAttempts: readMaxAttempts(read),
    stsEndpoint: readEndpoint(read, env)
  };
  checkCombinations(read, inputs);
  if (read.problems.length > 0) throw new InputError(read.problems);
  return inputs;
}

function readRegion(read: InputReader, env: Env): string {
  const region = read.text('aws-region') ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  // Whether a region is needed depends on the other inputs: see checkCombinations.
  if (region === undefined) return '';
  if (!REGION_PATTERN.test(region)) read.problem('aws-region', `'${preview(region)}' is not an AWS region name such as us-east-1`);
  return region;
}

function readRole(read: InputReader): RoleReference | undefined {
  const value = read.text('role-to-assume');
  if (value === undefined) return undefined;
  if (ROLE_ARN_PATTERN.test(value)) return { kind: 'arn', arn: value };
  if (ROLE_NAME_PATTERN.test(value)) return { kind: 'name', name: value };
  read.problem(
    'role-to-assume',
    `'${preview(value)}' is not a role ARN (arn:<partition>:iam::<12-digit account>:role/[path/]<name>, name of 1-64 letters, digits or _+=,.@-) or a bare role name`
  );
  return undefined;
}

function readSessionName(read: InputReader): string {
  const name = read.text('role-session-name') ?? DEFAULTS.sessionName;
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
  const wipeOnly = inputs.unsetCurrentCredentials && inputs.role === undefined && inputs.keys === undefined;
  if (inputs.region === '' && !wipeOnly) read.problem('aws-region', 'is required (or set AWS_REGION in the environment), e.g. us-east-1');
  const chainedCap = DEFAULTS.chainedMaxSeconds;
  if (inputs.roleChaining && inputs.durationSeconds > chainedCap) {
    read.problem('role-duration-seconds', `must be at most ${chainedCap} with role-chaining: AWS limits chained role sessions to one hour`);
  }
  if (inputs.roleChaining && inputs.role === undefined) read.problem('role-chaining', 'needs role-to-assume: the role to assume with the current credentials');
  if (inputs.roleChaining && (inputs.keys !== undefined || inputs.webIdentityTokenFile !== undefined)) {
    read.problem('role-chaining', 'uses the credentials already in the environment; do not also give aws-access-key-id or web-identity-token-file');
  }
  if (inputs.keys !== undefined && inputs.webIdentityTokenFile !== undefined) {
    read.problem('web-identity-token-file', 'cannot be combined with aws-access-key-id: choose one source of credentials');
  }
  if (inputs.webIdentityTokenFile !== undefined && inputs.role === undefined) {
    read.problem('web-identity-token-file', 'needs role-to-assume: the role the token is exchanged for');
  }
  if (inputs.role === undefined) checkRoleOnlyInputs(read);
}

// Inputs with defaults in action.yml (session name, duration) always arrive set, so they cannot be checked here.
const ROLE_ONLY_INPUTS: readonly InputName[] = [
  'role-external-id',
  'inline-session-policy',
  'managed-session-policies',
  'transitive-tag-keys'
];

function checkRoleOnlyInputs(read: InputReader): void {
  for (const name of ROLE_ONLY_INPUTS) {
    if (read.text(name) !== undefined) read.problem(name, 'only applies when role-to-assume is set');
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
