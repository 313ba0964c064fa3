// Workflows written for aws-actions/configure-aws-credentials run unchanged: inputs that do not apply
// warn instead of failing, IAM-user chaining gets its 12 hours, and inputs may come from variables.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { role, startWorld, USER, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const warnings = (stdout: string): string[] =>
  stdout
    .split('\n')
    .filter(l => l.startsWith('::warning::'))
    .map(l => l.slice('::warning::'.length));
const notices = (stdout: string): string[] =>
  stdout
    .split('\n')
    .filter(l => l.startsWith('::notice::'))
    .map(l => l.slice('::notice::'.length));
const lastWebIdentityCall = () => world.sts.calls.filter(c => c.action === 'AssumeRoleWithWebIdentity').at(-1)!;

const NOT_FOR_WEB_IDENTITY = { 'custom-tags': '{"Team": "payments"}', 'transitive-tag-keys': 'Repository', 'role-external-id': 'partner-7781' };
const EXPECTED_WARNINGS = [
  'transitive-tag-keys does not apply and is ignored: web identity sessions (OIDC, web-identity-token-file) take their tags from the token, so no session tags are sent',
  'custom-tags does not apply and is ignored: web identity sessions (OIDC, web-identity-token-file) take their tags from the token, so no session tags are sent',
  'role-external-id does not apply and is not sent: it belongs to AssumeRole (stored keys or role-chaining); AssumeRoleWithWebIdentity has no external id'
];

describe('inputs that do not apply to web identity', () => {
  test('with OIDC: custom-tags, transitive-tag-keys and role-external-id each warn, and the role is assumed', async () => {
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), ...NOT_FOR_WEB_IDENTITY });
    expect(result.errors).toEqual([]);
    expect(warnings(result.stdout)).toEqual(EXPECTED_WARNINGS);
    expect(Object.keys(lastWebIdentityCall().params).filter(k => /Tag|ExternalId/.test(k))).toEqual([]);
  });

  test('with a token file: the same warnings, and the role is assumed', async () => {
    const response = await fetch(`${world.oidc.requestUrl}&audience=sts.amazonaws.com`, { headers: { Authorization: `Bearer ${world.oidc.requestToken}` } });
    const file = join(mkdtempSync(join(tmpdir(), 'drop-in-token-')), 'token');
    writeFileSync(file, ((await response.json()) as { value: string }).value);
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'web-identity-token-file': file, ...NOT_FOR_WEB_IDENTITY }, { oidc: false });
    expect(result.errors).toEqual([]);
    expect(warnings(result.stdout)).toEqual(EXPECTED_WARNINGS);
  });

  test('bad custom-tags JSON still fails before any call, as it does there', async () => {
    const calls = world.sts.calls.length;
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'custom-tags': '{not json' });
    expect(result.errors.join('\n')).toContain('custom-tags: is not valid JSON');
    expect(world.sts.calls.length).toBe(calls);
  });
});

describe('role-chaining', () => {
  const userKeys = { AWS_ACCESS_KEY_ID: USER.accessKeyId, AWS_SECRET_ACCESS_KEY: USER.secretAccessKey };

  test('from an IAM user keys (no session token) is not chaining for STS: 12 hours are allowed', async () => {
    const result = await world.run({ 'role-to-assume': role('ci-long'), 'role-chaining': 'true', 'role-duration-seconds': '43200' }, { oidc: false, env: userKeys });
    expect(result.errors).toEqual([]);
    expect(world.sts.calls.filter(c => c.action === 'AssumeRole').at(-1)!.params.DurationSeconds).toBe('43200');
  });

  test('from a role session it is still capped at one hour, before any call', async () => {
    const calls = world.sts.calls.length;
    const result = await world.run(
      { 'role-to-assume': role('ci-long'), 'role-chaining': 'true', 'role-duration-seconds': '43200' },
      { oidc: false, env: { ...userKeys, AWS_ACCESS_KEY_ID: 'ASIAEXAMPLESESSION01', AWS_SESSION_TOKEN: 'session-token' } }
    );
    expect(result.errors).toEqual(['Invalid input: role-duration-seconds: must be at most 3600 with role-chaining: AWS limits chained role sessions to one hour']);
    expect(world.sts.calls.length).toBe(calls);
  });
});

test('ACTIONS_ALLOW_UNSECURE_COMMANDS gets a warning: it puts every later step at risk', async () => {
  const result = await world.run({ 'role-to-assume': role('gha-deploy') }, { env: { ACTIONS_ALLOW_UNSECURE_COMMANDS: 'true' } });
  expect(warnings(result.stdout)).toEqual(['ACTIONS_ALLOW_UNSECURE_COMMANDS is set, but this action never needs it: remove it, it re-enables ::set-env for every step']);
  expect(notices(result.stdout)).toEqual([]);
});

describe('inputs from environment variables (organization variables)', () => {
  test('the non-secret ones are read when the input is not given, each with a notice naming the input', async () => {
    const result = await world.run(
      { 'role-to-assume': '' },
      { env: { ROLE_TO_ASSUME: role('gha-deploy'), ROLE_SESSION_NAME: 'from-vars', ROLE_DURATION_SECONDS: '900', AUDIENCE: 'sts.amazonaws.com', RETRY_MAX_ATTEMPTS: '3' } }
    );
    expect(result.errors).toEqual([]);
    expect(result.outputs['authenticated-arn']).toMatch(/assumed-role\/gha-deploy\/from-vars$/);
    expect(lastWebIdentityCall().params.DurationSeconds).toBe('900');
    expect(notices(result.stdout)).toEqual([
      'Using ROLE_TO_ASSUME from the environment as the role-to-assume input (an input given in with: wins)',
      'Using AUDIENCE from the environment as the audience input (an input given in with: wins)',
      'Using ROLE_DURATION_SECONDS from the environment as the role-duration-seconds input (an input given in with: wins)',
      'Using ROLE_SESSION_NAME from the environment as the role-session-name input (an input given in with: wins)',
      'Using RETRY_MAX_ATTEMPTS from the environment as the retry-max-attempts input (an input given in with: wins)'
    ]);
  });

  test('an input given in with: wins, without a notice', async () => {
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'role-session-name': 'explicit' }, { env: { ROLE_TO_ASSUME: role('nobody'), ROLE_SESSION_NAME: 'from-vars' } });
    expect(result.outputs['authenticated-arn']).toMatch(/assumed-role\/gha-deploy\/explicit$/);
    expect(notices(result.stdout)).toEqual([]);
  });

  test('never ROLE_CHAINING or USE_EXISTING_CREDENTIALS: credentials a previous step left are not used unless the workflow says so', async () => {
    const result = await world.run(
      { 'role-to-assume': role('gha-deploy') },
      { env: { ROLE_CHAINING: 'true', USE_EXISTING_CREDENTIALS: 'true', AWS_ACCESS_KEY_ID: USER.accessKeyId, AWS_SECRET_ACCESS_KEY: USER.secretAccessKey } }
    );
    expect(result.errors).toEqual([]);
    expect(world.sts.sessions.at(-1)!.viaAction).toBe('AssumeRoleWithWebIdentity');
    expect(notices(result.stdout)).toEqual([]);
  });
});
