import { InputError } from '../../src/errors.js';
import { inputVariable } from '../../src/inputs/names.js';
import { sharedFiles } from '../../src/inputs/environment.js';
import { parseInputs } from '../../src/inputs/parse.js';
import type { Env } from '../../src/types.js';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';

// A job with `permissions: id-token: write`, so a role alone has a source to be assumed with.
const OIDC: Env = { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1/token', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'bearer' };

function env(inputs: Record<string, string>, extra: Env = {}): Env {
  const vars: Record<string, string | undefined> = { ...OIDC, ...extra };
  for (const [name, value] of Object.entries(inputs)) vars[inputVariable(name)] = value;
  return vars;
}

function problemsOf(vars: Env): readonly string[] {
  try {
    parseInputs(vars);
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  throw new Error('expected the inputs to be rejected');
}

describe('reading inputs', () => {
  test('names variables the way the runner does: hyphens kept, upper case', () => {
    expect(inputVariable('role-to-assume')).toBe('INPUT_ROLE-TO-ASSUME');
    expect(inputVariable('a b')).toBe('INPUT_A_B');
  });

  test('defaults match configure-aws-credentials', () => {
    const inputs = parseInputs(env({ 'aws-region': 'us-east-1', 'role-to-assume': ROLE }));
    expect(inputs).toMatchObject({
      sessionName: 'GitHubActions',
      durationSeconds: 3600,
      audience: 'sts.amazonaws.com',
      maxAttempts: 12,
      outputEnvCredentials: true,
      outputCredentials: false,
      role: { kind: 'arn', arn: ROLE }
    });
  });

  test('the region can come from AWS_REGION or AWS_DEFAULT_REGION, the input winning', () => {
    expect(parseInputs(env({ 'role-to-assume': ROLE }, { AWS_REGION: 'eu-west-1' })).region).toBe('eu-west-1');
    expect(parseInputs(env({ 'role-to-assume': ROLE }, { AWS_DEFAULT_REGION: 'eu-west-2' })).region).toBe('eu-west-2');
    expect(parseInputs(env({ 'aws-region': 'us-gov-west-1', 'role-to-assume': ROLE }, { AWS_REGION: 'eu-west-1' })).region).toBe('us-gov-west-1');
  });

  test('a missing region is an error unless the step only clears credentials', () => {
    expect(problemsOf(env({ 'role-to-assume': ROLE }))).toEqual([expect.stringMatching(/^aws-region: is required/)]);
    expect(parseInputs(env({ 'unset-current-credentials': 'true' })).unsetCurrentCredentials).toBe(true);
  });

  test.each([['arn:aws-cn:iam::111122223333:role/deploy'], ['arn:aws-us-gov:iam::111122223333:role/path/to/deploy'], ['arn:aws:iam::111122223333:role/a+b=c,d.e@f-g_h']])(
    'accepts the role ARN %s',
    arn => {
      expect(parseInputs(env({ 'aws-region': 'us-east-1', 'role-to-assume': arn })).role).toEqual({ kind: 'arn', arn });
    }
  );

  test('a bare role name is kept as a name for the plan to complete from the keys’ account', () => {
    const keys = { 'aws-access-key-id': 'AKIAEXAMPLE12345678', 'aws-secret-access-key': 'secret/Example+Key' };
    expect(parseInputs(env({ 'aws-region': 'us-east-1', 'role-to-assume': 'deploy', ...keys })).role).toEqual({ kind: 'name', name: 'deploy' });
  });

  test.each([
    ['aws-region', 'US-EAST-1', /aws-region: 'US-EAST-1' is not an AWS region/],
    ['role-to-assume', 'arn:aws:iam::1111:role/x', /role-to-assume: .* is not a role ARN/],
    ['role-to-assume', 'arn:aws:iam::111122223333:user/x', /role-to-assume/],
    ['role-session-name', 'has space', /role-session-name: must be 2-64/],
    ['role-session-name', 'x', /role-session-name/],
    ['role-duration-seconds', '0', /role-duration-seconds: must be from 900 to 43200, got 0/],
    ['role-duration-seconds', 'abc', /role-duration-seconds: must be a whole number/],
    ['role-duration-seconds', '3.5', /role-duration-seconds: must be a whole number/],
    ['role-duration-seconds', '43201', /role-duration-seconds: must be from 900/],
    ['retry-max-attempts', '0', /retry-max-attempts: must be from 1 to 100/],
    ['mask-aws-account-id', 'yes', /mask-aws-account-id: must be true or false/],
    ['output-credentials', '1', /output-credentials: must be true or false/],
    ['role-external-id', 'a', /role-external-id: must be 2-1224/],
    ['inline-session-policy', '{not json', /inline-session-policy: is not valid JSON/],
    ['inline-session-policy', '[]', /inline-session-policy: must be a JSON policy document/],
    ['managed-session-policies', 'arn:aws:iam::aws:user/x', /managed-session-policies: .* is not a managed policy ARN/],
    ['allowed-account-ids', '12345', /allowed-account-ids: '12345' is not a 12-digit/],
    ['sts-endpoint', 'ftp://example', /sts-endpoint: .* is not an http\(s\) URL/],
    ['sts-endpoint', 'https://user:pass@example.com', /sts-endpoint/],
    ['transitive-tag-keys', 'bad*key', /transitive-tag-keys: 'bad\*key' is not a valid tag key/],
    // Found by the hostile-input corpus (e2e/hostile-inputs.test.ts): each reached the network or the log before.
    ['audience', 'sts.amazonaws.com\n::error::injected', /^audience: must be 1-255 printable ASCII characters without spaces, got 'sts.amazonaws.com ::error::injected'$/],
    ['audience', 'a'.repeat(256), /^audience: must be 1-255/],
    ['sts-endpoint', 'http://127.0.0.1:4566/\nAWS_ACCESS_KEY_ID=evil', /^sts-endpoint: .* is not an http\(s\) URL/],
    ['sts-endpoint', 'http://127.0.0.1:4566/\tx', /^sts-endpoint: .* is not an http\(s\) URL/],
    ['sts-endpoint', 'https://admin:hunter2@example.com', /^sts-endpoint: the URL given is not an http\(s\) URL without credentials$/],
    ['role-duration-seconds', '9'.repeat(5000), /^role-duration-seconds: must be from 900 to 43200, got 9{80}… \(5000 characters\)$/]
  ])('rejects %s = %j, naming the input and the rule', (name, value, rule) => {
    const problems = problemsOf(env({ 'aws-region': 'us-east-1', 'role-to-assume': ROLE, [name]: value }));
    expect(problems).toEqual([expect.stringMatching(rule)]);
  });

  test('reports every problem at once', () => {
    const problems = problemsOf(env({ 'aws-region': 'nowhere', 'role-session-name': 'a b', 'disable-retry': 'maybe', 'role-to-assume': ROLE }));
    expect(problems.map(p => p.split(':')[0]).sort()).toEqual(['aws-region', 'disable-retry', 'role-session-name']);
  });

  test('keys must come as a pair, and a token needs them', () => {
    expect(problemsOf(env({ 'aws-region': 'us-east-1', 'aws-access-key-id': 'AKIAIOSFODNN7EXAMPLE' }))).toEqual([expect.stringMatching(/^aws-secret-access-key: is required/)]);
    expect(problemsOf(env({ 'aws-region': 'us-east-1', 'aws-secret-access-key': 's' }))).toEqual([expect.stringMatching(/^aws-secret-access-key: is set but aws-access-key-id is not/)]);
    expect(problemsOf(env({ 'aws-region': 'us-east-1', 'aws-session-token': 't' }))).toEqual([expect.stringMatching(/^aws-session-token:/)]);
  });

  test('secrets must be printable ASCII without spaces or line breaks (they go into a signature and a header)', () => {
    const keys = { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, 'aws-access-key-id': 'AKIAIOSFODNN7EXAMPLE', 'aws-secret-access-key': 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
    expect(problemsOf(env({ ...keys, 'aws-secret-access-key': 'abc\ndef' }))).toEqual([expect.stringMatching(/^aws-secret-access-key: must be printable ASCII/)]);
    expect(problemsOf(env({ ...keys, 'aws-session-token': 'abc\nX-Injected: 1' }))).toEqual([expect.stringMatching(/^aws-session-token: must be printable ASCII/)]);
    expect(parseInputs(env({ ...keys, 'aws-session-token': 'IQoJb3JpZ2luX2Vj+/=' })).keys?.sessionToken).toBe('IQoJb3JpZ2luX2Vj+/=');
  });

  test('a bad AWS_ENDPOINT_URL_STS is reported under sts-endpoint', () => {
    expect(problemsOf(env({ 'aws-region': 'us-east-1', 'role-to-assume': ROLE }, { AWS_ENDPOINT_URL_STS: 'gopher://x' }))).toEqual([
      "sts-endpoint: 'gopher://x' (from AWS_ENDPOINT_URL_STS) is not an http(s) URL without credentials"
    ]);
  });

  test('error texts never quote a secret', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const error = (() => {
      try {
        parseInputs(env({ 'aws-region': 'bad', 'aws-access-key-id': 'short!', 'aws-secret-access-key': secret }));
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a failure');
    })();
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain('short!');
  });

  test('role chaining is capped at one hour and needs a role', () => {
    expect(problemsOf(env({ 'aws-region': 'us-east-1', 'role-to-assume': ROLE, 'role-chaining': 'true', 'role-duration-seconds': '7200' }))).toEqual([
      expect.stringMatching(/^role-duration-seconds: must be at most 3600 with role-chaining/)
    ]);
    expect(problemsOf(env({ 'aws-region': 'us-east-1', 'role-chaining': 'true' }))).toEqual([expect.stringMatching(/^role-chaining: needs role-to-assume/)]);
  });

  test('role-only inputs without a role are an error, not silently ignored', () => {
    const problems = problemsOf(env({ 'aws-region': 'us-east-1', 'aws-access-key-id': 'AKIAIOSFODNN7EXAMPLE', 'aws-secret-access-key': 's', 'role-external-id': 'abc' }));
    expect(problems).toEqual(['role-external-id: only applies when role-to-assume is set']);
  });

  test('a relative token file is resolved against the workspace', () => {
    const inputs = parseInputs(env({ 'aws-region': 'us-east-1', 'role-to-assume': ROLE, 'web-identity-token-file': 'tok/en' }, { GITHUB_WORKSPACE: '/w' }));
    expect(inputs.webIdentityTokenFile).toBe('/w/tok/en');
  });

  test('the inline policy is sent without whitespace', () => {
    const policy = '{\n  "Version": "2012-10-17",\n  "Statement": [ { "Effect": "Allow", "Action": "s3:*", "Resource": "*" } ]\n}';
    expect(parseInputs(env({ 'aws-region': 'us-east-1', 'role-to-assume': ROLE, 'inline-session-policy': policy })).inlineSessionPolicy).toBe(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
    );
  });

  test('disable-retry means a single attempt', () => {
    expect(parseInputs(env({ 'aws-region': 'us-east-1', 'role-to-assume': ROLE, 'disable-retry': 'true' })).maxAttempts).toBe(1);
  });
});

describe('where profiles go, as the AWS CLI finds them', () => {
  test('on Windows, USERPROFILE wins over HOME (the CLI reads USERPROFILE), spaces and backslashes kept', () => {
    const files = sharedFiles({ USERPROFILE: 'C:\\Users\\Run Ner', HOME: 'D:\\elsewhere' }, 'C:\\Users\\os', 'win32');
    expect(files).toEqual({ credentials: 'C:\\Users\\Run Ner\\.aws\\credentials', config: 'C:\\Users\\Run Ner\\.aws\\config', customConfig: false });
  });

  test('on Windows without USERPROFILE, HOME, then the OS home; a relative one is never used', () => {
    expect(sharedFiles({ HOME: 'C:\\h' }, 'C:\\Users\\os', 'win32').credentials).toBe('C:\\h\\.aws\\credentials');
    expect(sharedFiles({ USERPROFILE: 'relative', HOME: '' }, 'C:\\Users\\os', 'win32').config).toBe('C:\\Users\\os\\.aws\\config');
  });

  test('elsewhere HOME, then the OS home; the AWS_* variables win everywhere', () => {
    expect(sharedFiles({ HOME: '/home/r', USERPROFILE: '/ignored' }, '/root').credentials).toBe('/home/r/.aws/credentials');
    expect(sharedFiles({ HOME: 'work' }, '/root').credentials).toBe('/root/.aws/credentials');
    expect(sharedFiles({ AWS_SHARED_CREDENTIALS_FILE: 'C:\\Program Files\\aws\\creds', USERPROFILE: 'C:\\u' }, 'C:\\os', 'win32').credentials).toBe('C:\\Program Files\\aws\\creds');
  });
});

describe('refresh-credentials with aws-profile on Windows', () => {
  const inputs = { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, 'refresh-credentials': 'true', 'aws-profile': 'ci' };
  const system = (platform: NodeJS.Platform) => ({ homedir: platform === 'win32' ? 'C:\\Users\\runner' : '/home/runner', nodeVersion: '24.19.0', platform });

  test('is refused before any call: its credential_process line cannot be run by every Windows tool', () => {
    expect(() => parseInputs(env(inputs), system('win32'))).toThrow(/aws-profile: with refresh-credentials writes a credential_process command line/);
  });

  test('works on Linux and macOS, and without aws-profile on Windows (the local credentials server)', () => {
    expect(parseInputs(env(inputs), system('linux')).awsProfile).toBe('ci');
    expect(parseInputs(env(inputs), system('darwin')).awsProfile).toBe('ci');
    const { 'aws-profile': _, ...server } = inputs;
    expect(parseInputs(env(server), system('win32')).refreshCredentials).toBe(true);
  });
});
