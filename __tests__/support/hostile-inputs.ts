// A corpus of hostile and malformed inputs. Every one must: exit 1 with exactly one ::error:: naming
// the input, make no network call (neither STS nor the OIDC endpoint), export nothing (env, outputs,
// state, path), print no other workflow command, and leak no secret. The whole corpus runs in process
// (flows/hostile-inputs.test.ts); the cases only a real process can judge (file-command injection,
// 100 KB values through the environment) also run through the built action (e2e/hostile-inputs.test.ts).
// Importing this module creates the token-file fixtures for the importing test file.
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findLeaks } from './leaks.ts';
import type { StepResult } from './step-runner.ts';
import { USER, role, type World } from './world.ts';

export type Inputs = Record<string, string>;

export interface Case {
  /** What is hostile about it. */
  label: string;
  /** The input the single error must name. */
  names: string;
  inputs: Inputs | ((w: World) => Inputs);
  options?: { env?: Record<string, string | undefined>; oidc?: boolean };
  /** Values that must not show up in the output (beyond the IAM users' keys). */
  secrets?: string[];
}

const OIDC_ROLE = { 'role-to-assume': role('gha-deploy') };
const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };
const KEYS_ROLE = { ...KEYS, 'role-to-assume': role('ci-deploy') };
const KB100 = 100 * 1024;
const big = (unit: string): string => unit.repeat(Math.ceil(KB100 / unit.length)).slice(0, KB100);
const DELIMITER = `ghadelimiter_${randomUUID()}`;
const INJECT = 'x\nAWS_ACCESS_KEY_ID=evil';
const HEREDOC = 'x\nEOF\nAWS_ACCESS_KEY_ID=evil\nX<<EOF';
const DELIMITED = `x\n${DELIMITER}\nAWS_SECRET_ACCESS_KEY=evil\nY<<${DELIMITER}`;
const COMMAND = 'x\n::add-mask::x\n::error::injected\n::set-env name=AWS_ACCESS_KEY_ID::evil';
const ENDPOINT_PASSWORD = 'hunter2-endpoint-password';
const SESSION_TOKEN = `IQoJb3JpZ2luX2Vj${'Z'.repeat(64)}`;

// Token-file fixtures: created once per test file, removed after it.
const FIXTURES = mkdtempSync(join(tmpdir(), 'hostile-token-files-'));
const fixture = (name: string): string => join(FIXTURES, name);
writeFileSync(fixture('empty'), '');
writeFileSync(fixture('blank'), ' \n\t\n');
writeFileSync(fixture('real-token'), 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln');
symlinkSync(fixture('real-token'), fixture('link'));
mkdirSync(fixture('directory'));
execFileSync('mkfifo', [fixture('fifo')]);
afterAll(() => rmSync(FIXTURES, { recursive: true, force: true }));

const arn = (s: string): Case => ({ label: s, names: 'role-to-assume', inputs: { 'role-to-assume': s } });
const forInput =
  (name: string, base: Inputs = OIDC_ROLE) =>
  (label: string, value: string, extra: Partial<Case> = {}): Case => ({
    label,
    names: name,
    inputs: { ...base, [name]: value },
    ...extra
  });
const region = forInput('aws-region');
const session = forInput('role-session-name');
const duration = forInput('role-duration-seconds');
const attempts = forInput('retry-max-attempts');
const inline = forInput('inline-session-policy');
const managed = forInput('managed-session-policies');
const audience = forInput('audience');
const externalId = forInput('role-external-id', KEYS_ROLE);
const tagKeys = forInput('transitive-tag-keys', KEYS_ROLE);
const accounts = forInput('allowed-account-ids');
const endpoint = forInput('sts-endpoint');
const tokenFile = (label: string, path: string, extra: Partial<Case> = {}): Case => ({
  label,
  names: 'web-identity-token-file',
  inputs: { ...OIDC_ROLE, 'web-identity-token-file': path },
  ...extra
});

const policy = (resource: string): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resource }] });
const managedArn = (i: number): string => `arn:aws:iam::111122223333:policy/p${i}`;

export const CASES: Record<string, Case[]> = {
  'role ARNs': [
    arn('arn:aws-xx:iam::111122223333:role/r'), // unknown partition
    arn('arn::iam::111122223333:role/r'), // empty partition
    arn('arn:AWS:iam::111122223333:role/r'), // partition case
    arn('arn:aws:sts::111122223333:role/r'), // service
    arn('arn:aws:s3:::my-bucket'), // another service's ARN
    arn('arn:aws:iam:us-east-1:111122223333:role/r'), // region field must be empty for IAM
    arn('arn:aws:iam::11112222333:role/r'), // 11-digit account
    arn('arn:aws:iam::1111222233334:role/r'), // 13-digit account
    arn('arn:aws:iam::11112222333a:role/r'), // letter in account
    arn('arn:aws:iam::１１１１２２２２３３３３:role/r'), // full-width digits
    arn('arn:aws:iam::111122223333:user/r'), // resource type
    arn('arn:aws:iam::111122223333:Role/r'), // resource type case
    arn('arn:aws:iam::111122223333:role:r'), // resource separator
    arn('arn:aws:iam::111122223333:role/'), // no name
    arn('arn:aws:iam::111122223333:role/path/'), // path without a name
    arn('arn:aws:iam::111122223333:role/my path/r'), // space in path
    arn(`arn:aws:iam::111122223333:role/${'p'.repeat(600)}/r`), // path over 512
    arn('arn:aws:iam::111122223333:role/r*'), // name character
    arn(`arn:aws:iam::111122223333:role/${'n'.repeat(65)}`), // name over 64
    arn('arn:aws:iam::111122223333:role/gha-dеploy'), // Cyrillic е homoglyph
    arn('аrn:aws:iam::111122223333:role/gha-deploy'), // Cyrillic а in "arn"
    arn('arn:aws:iam::111122223333:role/\u202Eyolped-ahg'), // right-to-left override
    arn('arn:aws:iam::111122223333:role/gha\u200B-deploy'), // zero-width space
    arn(`${role('gha-deploy')}\nAWS_ACCESS_KEY_ID=evil`),
    arn(`${role('gha-deploy')}${COMMAND}`),
    arn(big('arn:aws:iam::111122223333:role/')),
    { label: 'a bare role name with OIDC (no account to complete it)', names: 'role-to-assume', inputs: { 'role-to-assume': 'gha-deploy' } }
  ],
  'session names': [
    session('one character', 'a'),
    session('65 characters', 's'.repeat(65)),
    session('space', 'my session'),
    session('slash', 'ci/deploy'),
    session('non-ASCII letter', 'naïve'),
    session('CJK', '名前です'),
    session('right-to-left mark', '\u200Fadmin'),
    session('zero-width space', 'Git\u200BHub'),
    session('env-file injection', INJECT),
    session('heredoc injection', HEREDOC),
    session('delimiter injection', DELIMITED),
    session('workflow commands', COMMAND),
    session('colons', '::add-mask::x'),
    session('100 KB', big('s'))
  ],
  regions: [
    region('upper case', 'US-EAST-1'),
    region('availability zone', 'us-east-1a'),
    region('no number', 'us-east'),
    region('no hyphens', 'useast1'),
    region('three digits', 'us-east-100'),
    region('host name', 'us-east-1.evil.example.com'),
    region('path', '../../etc/passwd'),
    region('en dashes', 'us–east–1'),
    region('Cyrillic ѕ', 'us-eaѕt-1'),
    region('zero-width space', 'us-east-1\u200B'),
    region('env-file injection', 'us-east-1\nAWS_REGION=evil-1'),
    region('heredoc injection', `us-east-1${HEREDOC}`),
    region('100 KB', big('us-east-1-')),
    { label: 'bad AWS_REGION from the environment', names: 'aws-region', inputs: { ...OIDC_ROLE, 'aws-region': '' }, options: { env: { AWS_REGION: 'mars-north-1x' } } },
    { label: 'no region at all', names: 'aws-region', inputs: { ...OIDC_ROLE, 'aws-region': '' } }
  ],
  durations: [
    duration('below 900', '899'),
    duration('above 43200', '43201'),
    duration('negative', '-3600'),
    duration('exponent', '3.6e3'),
    duration('hex', '0x384'),
    duration('full-width digits', '３６００'),
    duration('unit', '3600s'),
    duration('decimal', '3600.0'),
    duration('20 digits', '99999999999999999999'),
    duration('two lines', '3600\n3600'),
    duration('100 KB of digits', big('9')),
    duration('over the chained cap with role-chaining', '7200', { inputs: { ...OIDC_ROLE, 'role-chaining': 'true', 'role-duration-seconds': '7200' } })
  ],
  booleans: [
    { label: 'yes', names: 'role-chaining', inputs: { ...OIDC_ROLE, 'role-chaining': 'yes' } },
    { label: 'on', names: 'role-skip-session-tagging', inputs: { ...OIDC_ROLE, 'role-skip-session-tagging': 'on' } },
    { label: '1', names: 'mask-aws-account-id', inputs: { ...OIDC_ROLE, 'mask-aws-account-id': '1' } },
    { label: 'mixed case tRuE', names: 'output-credentials', inputs: { ...OIDC_ROLE, 'output-credentials': 'tRuE' } },
    { label: 'no', names: 'output-env-credentials', inputs: { ...OIDC_ROLE, 'output-env-credentials': 'no' } },
    { label: 'y', names: 'unset-current-credentials', inputs: { ...OIDC_ROLE, 'unset-current-credentials': 'y' } },
    { label: 'two lines', names: 'disable-retry', inputs: { ...OIDC_ROLE, 'disable-retry': 'true\nfalse' } },
    { label: 'full-width ｔｒｕｅ', names: 'output-credentials', inputs: { ...OIDC_ROLE, 'output-credentials': 'ｔｒｕｅ' } },
    { label: 'zero-width space', names: 'mask-aws-account-id', inputs: { ...OIDC_ROLE, 'mask-aws-account-id': 'true\u200B' } },
    { label: 'quoted', names: 'disable-retry', inputs: { ...OIDC_ROLE, 'disable-retry': '"true"' } },
    { label: 'env-file injection', names: 'role-skip-session-tagging', inputs: { ...OIDC_ROLE, 'role-skip-session-tagging': `false${INJECT}` } },
    { label: '100 KB', names: 'output-credentials', inputs: { ...OIDC_ROLE, 'output-credentials': big('true') } }
  ],
  'retry-max-attempts': [
    attempts('zero', '0'),
    attempts('above 100', '101'),
    attempts('negative', '-1'),
    attempts('decimal', '1.5'),
    attempts('trailing text', '12abc'),
    attempts('100 KB', big('1'))
  ],
  'session policies': [
    inline('truncated JSON', '{'),
    inline('array', '[]'),
    inline('null', 'null'),
    inline('string', '"Allow everything"'),
    inline('no Statement', '{"Version":"2012-10-17"}'),
    inline('trailing text', `${policy('*')} x`),
    inline('non-Latin-1 characters', policy('arn:aws:s3:::бакет/*')),
    inline('over 2048 characters without whitespace', policy(`arn:aws:s3:::${'b'.repeat(2100)}/*`)),
    inline('100 KB', big('{"a":')),
    inline('env-file injection', `${policy('*')}\nAWS_ACCESS_KEY_ID=evil`),
    managed('not an ARN', 'ReadOnlyAccess'),
    managed('space in the name', 'arn:aws:iam::aws:policy/Read Only'),
    managed('region field', 'arn:aws:iam:us-east-1:aws:policy/ReadOnlyAccess'),
    managed('short account', 'arn:aws:iam::12345:policy/x'),
    managed('a role ARN', role('gha-deploy')),
    managed('11 policies', Array.from({ length: 11 }, (_, i) => managedArn(i)).join('\n')),
    managed('zero-width space', 'arn:aws:iam::aws:policy/Read\u200BOnlyAccess'),
    managed('100 KB', big('arn:aws:iam::aws:policy/x ')),
    { label: 'inline policy without a role', names: 'inline-session-policy', inputs: { ...KEYS, 'inline-session-policy': policy('*') } }
  ],
  'token file paths': [
    tokenFile('missing file', fixture('missing')),
    tokenFile('symbolic link', fixture('link')),
    tokenFile('directory', fixture('directory')),
    tokenFile('empty file', fixture('empty')),
    tokenFile('whitespace-only file', fixture('blank')),
    tokenFile('named pipe (a read would block)', fixture('fifo')),
    tokenFile('endless device', '/dev/zero'),
    tokenFile('relative without GITHUB_WORKSPACE', 'token', { options: { env: { GITHUB_WORKSPACE: undefined } } }),
    tokenFile('two lines', `${fixture('real-token')}\n${fixture('real-token')}`),
    tokenFile('100 KB path', `/${big('a/')}`),
    { label: 'with stored keys', names: 'web-identity-token-file', inputs: { ...KEYS_ROLE, 'web-identity-token-file': fixture('real-token') } },
    { label: 'without a role', names: 'web-identity-token-file', inputs: { 'web-identity-token-file': fixture('real-token') } }
  ],
  'keys and secrets': [
    { label: 'key id too short', names: 'aws-access-key-id', inputs: { ...KEYS_ROLE, 'aws-access-key-id': 'AKIASHORT' } },
    { label: 'key id with spaces', names: 'aws-access-key-id', inputs: { ...KEYS_ROLE, 'aws-access-key-id': 'AKIA EXAMPLE 1234567' } },
    { label: 'key id env-file injection', names: 'aws-access-key-id', inputs: { ...KEYS_ROLE, 'aws-access-key-id': `${USER.accessKeyId}\nAWS_SECRET_ACCESS_KEY=evil` } },
    { label: 'key id without secret', names: 'aws-secret-access-key', inputs: { 'aws-access-key-id': USER.accessKeyId, 'role-to-assume': role('ci-deploy') } },
    { label: 'secret without key id', names: 'aws-secret-access-key', inputs: { 'aws-secret-access-key': USER.secretAccessKey } },
    { label: 'secret with a line break', names: 'aws-secret-access-key', inputs: { ...KEYS_ROLE, 'aws-secret-access-key': `${USER.secretAccessKey}\nAWS_ACCESS_KEY_ID=evil` } },
    { label: 'secret with a zero-width space', names: 'aws-secret-access-key', inputs: { ...KEYS_ROLE, 'aws-secret-access-key': `${USER.secretAccessKey}\u200B` } },
    { label: 'session token with a line break', names: 'aws-session-token', inputs: { ...KEYS_ROLE, 'aws-session-token': `${SESSION_TOKEN}\nX-Injected: 1` }, secrets: [SESSION_TOKEN] },
    { label: 'session token without key id', names: 'aws-session-token', inputs: { 'aws-session-token': SESSION_TOKEN, 'role-to-assume': role('gha-deploy') }, secrets: [SESSION_TOKEN] }
  ],
  'other inputs': [
    audience('workflow commands', `sts.amazonaws.com${COMMAND}`),
    audience('space', 'sts amazonaws com'),
    audience('over 255 characters', `https://${'a'.repeat(260)}.example`),
    audience('homoglyph', 'sts.аmazonaws.com'),
    audience('100 KB', big('aud')),
    externalId('one character', 'x'),
    externalId('space', 'partner 7781'),
    externalId('over 1224 characters', 'e'.repeat(1225)),
    externalId('env-file injection', `partner-7781${INJECT}`),
    tagKeys('bad character', 'Repository*'),
    tagKeys('129 characters', 'k'.repeat(129)),
    accounts('letters', 'abc'),
    accounts('11 digits', '11112222333'),
    accounts('semicolon separator', '111122223333;444455556666'),
    accounts('full-width digits', '１１１１２２２２３３３３'),
    accounts('100 KB', big('1111222233334,')),
    endpoint('file URL', 'file:///etc/passwd'),
    endpoint('ftp URL', 'ftp://sts.example.com'),
    endpoint('javascript URL', 'javascript:alert(1)'),
    endpoint('not a URL', 'sts endpoint'),
    endpoint('credentials in the URL', `http://admin:${ENDPOINT_PASSWORD}@127.0.0.1:9`, { secrets: [ENDPOINT_PASSWORD] }),
    endpoint('100 KB', `http://${big('a.')}`),
    { label: 'a line break the URL parser would drop', names: 'sts-endpoint', inputs: w => ({ ...OIDC_ROLE, 'sts-endpoint': `${w.sts.url}/\nAWS_ACCESS_KEY_ID=evil` }) },
    { label: 'a tab the URL parser would drop', names: 'sts-endpoint', inputs: w => ({ ...OIDC_ROLE, 'sts-endpoint': `${w.sts.url}/\tx` }) },
    { label: 'bad AWS_ENDPOINT_URL_STS', names: 'sts-endpoint', inputs: { ...OIDC_ROLE, 'sts-endpoint': '' }, options: { env: { AWS_ENDPOINT_URL_STS: 'gopher://sts.example.com' } } },
    { label: 'role-chaining without a role', names: 'role-chaining', inputs: { 'role-chaining': 'true' } },
    { label: 'role-chaining with stored keys', names: 'role-chaining', inputs: { ...KEYS_ROLE, 'role-chaining': 'true' } },
    {
      label: 'role-chaining with a line break in AWS_SESSION_TOKEN',
      names: 'role-chaining',
      inputs: { 'role-to-assume': role('chained'), 'role-chaining': 'true' },
      options: { env: { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE01', AWS_SECRET_ACCESS_KEY: 'chained-secret-0123456789', AWS_SESSION_TOKEN: `${SESSION_TOKEN}\nX-Injected: 1` } },
      secrets: ['chained-secret-0123456789', SESSION_TOKEN]
    },
    // Only a region verifies the runner's own identity, whose credentials are never exported.
    { label: 'aws-profile with only a region', names: 'aws-profile', inputs: { 'aws-profile': 'ci' } },
    { label: 'output-credentials with only a region', names: 'output-credentials', inputs: { 'output-credentials': 'true' } },
    { label: 'a profile name with a space', names: 'aws-profile', inputs: { ...OIDC_ROLE, 'aws-profile': 'my profile' } },
    { label: 'a profile name with brackets', names: 'aws-profile', inputs: { ...OIDC_ROLE, 'aws-profile': '[evil]' } },
    { label: 'a profile name with a path separator', names: 'aws-profile', inputs: { ...OIDC_ROLE, 'aws-profile': '../x' } },
    { label: 'a profile name with a line break', names: 'aws-profile', inputs: { ...OIDC_ROLE, 'aws-profile': `x\n[default]` } },
    { label: 'overwrite-aws-profile: yes', names: 'overwrite-aws-profile', inputs: { ...OIDC_ROLE, 'aws-profile': 'p', 'overwrite-aws-profile': 'yes' } },
    { label: 'overwrite-aws-profile without a profile', names: 'overwrite-aws-profile', inputs: { ...OIDC_ROLE, 'overwrite-aws-profile': 'true' } },
    { label: 'profiles line without =', names: 'profiles', inputs: { profiles: 'dev' } },
    { label: 'profiles with a bad ARN', names: 'profiles', inputs: { profiles: 'dev=arn:aws:iam::1:role/x' } },
    { label: 'profiles naming one profile twice', names: 'profiles', inputs: { profiles: `a=${role('gha-deploy')}\na=${role('gha-deploy')}` } },
    { label: 'profiles with output-env-credentials and no role', names: 'output-env-credentials', inputs: { profiles: `a=${role('gha-deploy')}`, 'output-env-credentials': 'true' } },
    { label: 'a SOCKS proxy', names: 'http-proxy', inputs: { ...OIDC_ROLE, 'http-proxy': 'socks5://proxy:1080' }, secrets: [] },
    { label: 'a proxy that is not a URL', names: 'http-proxy', inputs: { ...OIDC_ROLE, 'http-proxy': 'proxy.example.com:3128' } },
    { label: 'custom tags that are not JSON', names: 'custom-tags', inputs: { ...KEYS_ROLE, 'custom-tags': '{Team: a}' } },
    { label: 'custom tags overriding Repository', names: 'custom-tags', inputs: { ...KEYS_ROLE, 'custom-tags': '{"repository":"x"}' } },
    { label: 'custom tags with a line break in a value', names: 'custom-tags', inputs: { ...KEYS_ROLE, 'custom-tags': JSON.stringify({ Team: INJECT }) } },
    { label: 'special-characters-workaround: 1', names: 'special-characters-workaround', inputs: { ...OIDC_ROLE, 'special-characters-workaround': '1' } },
    { label: 'use-existing-credentials: on', names: 'use-existing-credentials', inputs: { ...OIDC_ROLE, 'use-existing-credentials': 'on' } },
    {
      label: "force-skip-oidc (the runner's own identity) with a line break in AWS_SESSION_TOKEN",
      names: 'force-skip-oidc',
      inputs: { ...OIDC_ROLE, 'force-skip-oidc': 'true' },
      options: { env: { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE01', AWS_SECRET_ACCESS_KEY: 'runner-secret-0123456789', AWS_SESSION_TOKEN: `${SESSION_TOKEN}\nX-Injected: 1` } },
      secrets: ['runner-secret-0123456789', SESSION_TOKEN]
    },
    { label: 'action-timeout-s: 1.5', names: 'action-timeout-s', inputs: { ...OIDC_ROLE, 'action-timeout-s': '1.5' } },
    { label: 'action-timeout-s: -1', names: 'action-timeout-s', inputs: { ...OIDC_ROLE, 'action-timeout-s': '-1' } },
    { label: 'role-chain with a bare name', names: 'role-chain', inputs: { ...OIDC_ROLE, 'role-chain': 'target' } },
    { label: 'role-chain with a 2-hour duration', names: 'role-duration-seconds', inputs: { ...OIDC_ROLE, 'role-chain': role('chained'), 'role-duration-seconds': '7200' } },
    { label: 'refresh-credentials with stored keys', names: 'refresh-credentials', inputs: { ...KEYS_ROLE, 'refresh-credentials': 'true' } },
    { label: "refresh-credentials from the runner's own identity", names: 'refresh-credentials', inputs: { ...OIDC_ROLE, 'refresh-credentials': 'true' }, options: { oidc: false } },
    { label: 'summary: nope', names: 'summary', inputs: { ...OIDC_ROLE, summary: 'nope' } },
    { label: 'role-chaining without a role, from the runner identity', names: 'role-chaining', inputs: { 'role-chaining': 'true' }, options: { oidc: false } }
  ],
  // The plain mistakes the guards suite once ran as processes.
  'plain mistakes': [
    region('a space', 'us east 1'),
    arn('arn:aws:iam::12345:role/x'),
    duration('zero', '0'),
    duration('letters', 'abc'),
    duration('fraction', '3.5'),
    { label: 'yes', names: 'mask-aws-account-id', inputs: { ...OIDC_ROLE, 'mask-aws-account-id': 'yes' } },
    { label: 'on', names: 'role-chaining', inputs: { ...OIDC_ROLE, 'role-chaining': 'on' } },
    managed('a word', 'not-an-arn'),
    endpoint('words', 'not a url')
  ]
};

export const ALL = Object.entries(CASES).flatMap(([group, cases]) => cases.map(c => ({ group, ...c })));
export const title = (c: Case & { group: string }): string => `${c.group}: ${c.names} = ${c.label}`;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// "Invalid input: <name>: …" for one problem, "N invalid inputs:\n- <name>: …" for several.
const namesInput = (name: string): RegExp => new RegExp(`(?:^Invalid input: |\\n- )${escape(name)}: `);
const NOT_SECRETS_MASKED = /is never masked \(no ::add-mask:: registers it\)$/;

export interface Outcome {
  exitCode: number | null;
  timedOut: boolean;
  errors: string[];
  namesInput: boolean;
  otherCommands: string[];
  calls: { sts: number; oidc: number };
  exported: unknown[];
  leaks: string[];
  errorUnder2000: boolean;
}

export function outcome(result: StepResult, c: Case, calls: Outcome['calls']): Outcome {
  const secrets = [USER.accessKeyId, USER.secretAccessKey, ...(c.secrets ?? [])];
  return {
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    errors: result.errors.map(e => (e.length > 300 ? `${e.slice(0, 300)}…` : e)),
    namesInput: result.errors.length === 1 && namesInput(c.names).test(result.errors[0]!),
    // Debug lines (ACTIONS_STEP_DEBUG) describe the plan and are allowed; nothing else may print a command.
    otherCommands: result.commands.filter(cmd => !['error', 'add-mask', 'debug'].includes(cmd.name)).map(cmd => cmd.name),
    calls,
    exported: [result.env, result.outputs, result.state, result.paths, result.fileCommandErrors],
    leaks: findLeaks(result, secrets).filter(l => !NOT_SECRETS_MASKED.test(l)),
    errorUnder2000: result.errors.every(e => e.length < 2000)
  };
}

/** What every case must come to; `paths` and file-command errors are always empty in process. */
export const REFUSED: Outcome = {
  exitCode: 1,
  timedOut: false,
  errors: [expect.any(String)],
  namesInput: true,
  otherCommands: [],
  calls: { sts: 0, oidc: 0 },
  exported: [{}, {}, {}, [], []],
  leaks: [],
  // Echoed values are previews: a 100 KB input never becomes a 100 KB annotation.
  errorUnder2000: true
};

/** Runs one case on a world (by `run` in process or `step` as a process) and says how it came out. */
export async function refusal(world: World, c: Case, runner: 'run' | 'step'): Promise<Outcome> {
  const before = { sts: world.sts.calls.length, oidc: world.oidc.requests };
  const inputs = typeof c.inputs === 'function' ? c.inputs(world) : c.inputs;
  const result = runner === 'run' ? await world.run(inputs, c.options) : await world.step(inputs, { timeoutMs: 15000, ...c.options });
  return outcome(result, c, { sts: world.sts.calls.length - before.sts, oidc: world.oidc.requests - before.oidc });
}
