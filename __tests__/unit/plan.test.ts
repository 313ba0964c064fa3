import { InputError, inputVariable, parseInputs, type Env } from '../../src/inputs.js';
import { completeRoleArn, decidePlan, describePlan, type Plan } from '../../src/plan.js';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const OIDC_ENV = { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1/token?x=1', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'bearer' };
const KEYS = { 'aws-access-key-id': 'AKIAIOSFODNN7EXAMPLE', 'aws-secret-access-key': 'secret' };

function plan(inputs: Record<string, string>, extra: Env = {}): Plan {
  const vars: Record<string, string | undefined> = { ...extra };
  for (const [name, value] of Object.entries({ 'aws-region': 'us-east-1', ...inputs })) vars[inputVariable(name)] = value;
  return decidePlan(parseInputs(vars), vars);
}

function rejection(inputs: Record<string, string>, extra: Env = {}): string {
  try {
    plan(inputs, extra);
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error('expected the plan to be refused');
}

describe('choosing where credentials come from', () => {
  test('a role and the id-token variables mean OIDC, with no tags', () => {
    const p = plan({ 'role-to-assume': ROLE }, OIDC_ENV);
    expect(p).toMatchObject({ kind: 'assume', source: { kind: 'oidc', audience: 'sts.amazonaws.com' }, target: { tagging: false } });
  });

  test('stored keys win over OIDC and are the exact signer, with tags', () => {
    const p = plan({ 'role-to-assume': ROLE, ...KEYS }, OIDC_ENV);
    expect(p).toMatchObject({ kind: 'assume', source: { kind: 'keys', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' } }, target: { tagging: true } });
  });

  test('keys without a role are verified and exported as they are', () => {
    expect(plan(KEYS)).toMatchObject({ kind: 'use-keys' });
  });

  test('a token file means AssumeRoleWithWebIdentity from the file', () => {
    expect(plan({ 'role-to-assume': ROLE, 'web-identity-token-file': '/tmp/token' })).toMatchObject({ source: { kind: 'token-file', path: '/tmp/token' } });
  });

  test('role chaining signs with exactly the environment credentials', () => {
    const p = plan({ 'role-to-assume': ROLE, 'role-chaining': 'true' }, { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't', ...OIDC_ENV });
    expect(p).toMatchObject({ source: { kind: 'environment', credentials: { accessKeyId: 'ASIAEXAMPLEEXAMPLE', secretAccessKey: 's', sessionToken: 't' } } });
  });

  test('role chaining refuses environment credentials that cannot go into a signature or a header', () => {
    for (const bad of [{ AWS_SESSION_TOKEN: 'tok\nen' }, { AWS_ACCESS_KEY_ID: 'ASIA EXAMPLE' }, { AWS_SECRET_ACCESS_KEY: 'se\ncret' }]) {
      const env = { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't', ...OIDC_ENV, ...bad };
      expect(rejection({ 'role-to-assume': ROLE, 'role-chaining': 'true' }, env)).toMatch(/^Invalid input: role-chaining: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN in the environment must be printable ASCII/);
    }
  });

  test('role chaining without credentials in the environment says what is missing', () => {
    expect(rejection({ 'role-to-assume': ROLE, 'role-chaining': 'true' })).toMatch(/role-chaining: needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });

  test('a role with no way to assume it asks for id-token: write', () => {
    expect(rejection({ 'role-to-assume': ROLE })).toMatch(/permissions: id-token: write/);
  });

  test('unset-current-credentials alone only wipes', () => {
    expect(plan({ 'unset-current-credentials': 'true' }).kind).toBe('wipe');
  });

  test('no role, no keys and no wipe is refused', () => {
    expect(rejection({})).toMatch(/nothing to do/);
  });

  test('a bare role name needs a source account', () => {
    expect(rejection({ 'role-to-assume': 'deploy' }, OIDC_ENV)).toMatch(/'deploy' is a role name, not an ARN; with OIDC/);
    expect(plan({ 'role-to-assume': 'deploy', ...KEYS })).toMatchObject({ target: { role: { kind: 'name', name: 'deploy' } } });
  });

  test('transitive tag keys must be tags that are actually sent', () => {
    expect(rejection({ 'role-to-assume': ROLE, 'transitive-tag-keys': 'Repository' }, OIDC_ENV)).toMatch(/no session tags are sent/);
    expect(rejection({ 'role-to-assume': ROLE, ...KEYS, 'transitive-tag-keys': 'Team' })).toMatch(/'Team' is not a session tag this action sends/);
    expect(rejection({ 'role-to-assume': ROLE, ...KEYS, 'role-skip-session-tagging': 'true', 'transitive-tag-keys': 'Repository' })).toMatch(/no session tags/);
    expect(plan({ 'role-to-assume': ROLE, ...KEYS, 'transitive-tag-keys': 'Repository\nActor' })).toMatchObject({ target: { transitiveTagKeys: ['Repository', 'Actor'] } });
  });

  test('an external id on a web identity path is refused', () => {
    expect(rejection({ 'role-to-assume': ROLE, 'role-external-id': 'xyz123' }, OIDC_ENV)).toMatch(/role-external-id: only applies to AssumeRole/);
  });
});

describe('completing a bare role name', () => {
  test('uses the partition and account of the source identity', () => {
    expect(completeRoleArn({ kind: 'name', name: 'deploy' }, 'arn:aws-cn:iam::222233334444:user/ci', '222233334444')).toBe('arn:aws-cn:iam::222233334444:role/deploy');
  });
});

describe('the plan in one log line', () => {
  test('names the source, call, role, session, duration and sinks', () => {
    expect(describePlan(plan({ 'role-to-assume': ROLE }, OIDC_ENV))).toBe(
      `Plan: GitHub OIDC token (audience sts.amazonaws.com) → AssumeRoleWithWebIdentity ${ROLE} as session 'GitHubActions' for 3600 s → verify with GetCallerIdentity → export to environment and outputs (region us-east-1)`
    );
    expect(describePlan(plan({ 'role-to-assume': ROLE, ...KEYS, 'output-env-credentials': 'false' }))).toMatch(/stored access keys → AssumeRole .* with session tags .* export to outputs/);
  });
});
