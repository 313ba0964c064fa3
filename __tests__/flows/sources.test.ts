// Every source of credentials, in process: the local STS checking signatures and trust policies.
// The built step with a later AWS CLI step using the exports, per source: e2e/sources.test.ts.
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trackIssued } from '../support/issued.ts';
import { ACCOUNT, USER, role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());
const issued = trackIssued(() => world);
const expectSucceeded = issued.expectSucceeded;

const USER_SECRETS = [USER.accessKeyId, USER.secretAccessKey];

describe('GitHub OIDC', () => {
  test('the assumed role is exported, and every secret was masked before use', async () => {
    const result = await world.run({ 'role-to-assume': role('gha-deploy') });
    expectSucceeded(result);
    const session = world.sts.sessions.at(-1)!;
    expect(session.viaAction).toBe('AssumeRoleWithWebIdentity');
    expect(result.env).toMatchObject({
      AWS_ACCESS_KEY_ID: session.accessKeyId,
      AWS_SECRET_ACCESS_KEY: session.secretAccessKey,
      AWS_SESSION_TOKEN: session.sessionToken,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1'
    });
    for (const secret of [session.accessKeyId, session.secretAccessKey, session.sessionToken, world.oidc.issued.at(-1)!.token]) {
      expect(result.masks).toContain(secret);
    }
    expect(result.outputs).toEqual({ 'aws-account-id': ACCOUNT, 'authenticated-arn': `arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/GitHubActions` });
    expect(result.stdout).toContain(`Plan: GitHub OIDC token (audience sts.amazonaws.com) → AssumeRoleWithWebIdentity ${role('gha-deploy')}`);
  });

  test('the token is requested for the audience given, and its claims decide the trust policy', async () => {
    const denied = await world.run({ 'role-to-assume': role('gha-other-repo') });
    expect(denied.exitCode).toBe(1);
    expect(denied.errors).toEqual([
      expect.stringContaining(`AssumeRoleWithWebIdentity for ${role('gha-other-repo')} failed: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity`)
    ]);
    expect(denied.env).toEqual({});

    const wrongAudience = await world.run({ 'role-to-assume': role('gha-deploy'), audience: 'https://github.com/octo-org' });
    expect(world.oidc.issued.at(-1)!.audience).toBe('https://github.com/octo-org');
    expect(wrongAudience.errors).toEqual([expect.stringMatching(/InvalidIdentityToken.*Incorrect token audience/)]);
  });

  test('without id-token permission the error says which permission to add', async () => {
    const requestsBefore = world.oidc.requests;
    const callsBefore = world.sts.calls.length;
    const result = await world.run({ 'role-to-assume': role('gha-deploy') }, { oidc: false });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([expect.stringContaining('permissions: id-token: write')]);
    expect([world.oidc.requests, world.sts.calls.length]).toEqual([requestsBefore, callsBefore]);
  });
});

describe('stored access keys', () => {
  test('AssumeRole is signed with exactly the given keys and tags the session with the run', async () => {
    const ambient = { AWS_ACCESS_KEY_ID: 'AKIAAMBIENTDONOTUSE1', AWS_SECRET_ACCESS_KEY: 'ambient-secret-must-not-sign' };
    const result = await world.run(
      { 'role-to-assume': role('ci-deploy'), 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey, 'role-session-name': 'nightly-sync' },
      { env: ambient }
    );
    expectSucceeded(result, USER_SECRETS);
    const assume = world.sts.calls.filter(c => c.action === 'AssumeRole').at(-1)!;
    expect(assume).toMatchObject({ accessKeyId: USER.accessKeyId, callerArn: USER.arn, status: 200 });
    const session = world.sts.sessions.at(-1)!;
    expect(session.tags).toMatchObject({ GitHub: 'Actions', Repository: 'octo-org/octo-repo', Workflow: 'CI', Actor: 'octocat', Branch: 'refs/heads/main' });
    expect(Object.keys(session.tags)).toEqual(expect.arrayContaining(['Action', 'Commit']));
    expect(result.masks).toEqual(expect.arrayContaining([USER.accessKeyId, USER.secretAccessKey]));
    expect(result.outputs['authenticated-arn']).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/ci-deploy/nightly-sync`);
  });

  test('keys without a role are verified and exported, and a stale session token is cleared', async () => {
    const result = await world.run(
      { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey },
      { env: { AWS_SESSION_TOKEN: 'stale-token-from-an-earlier-step' } }
    );
    expectSucceeded(result, USER_SECRETS);
    expect(result.env).toMatchObject({ AWS_ACCESS_KEY_ID: USER.accessKeyId, AWS_SESSION_TOKEN: '' });
    expect(result.outputs['authenticated-arn']).toBe(USER.arn);
  });

  test('a bare role name is completed with the account of the keys', async () => {
    const result = await world.run({ 'role-to-assume': 'ci-deploy', 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey });
    expectSucceeded(result, USER_SECRETS);
    expect(world.sts.calls.filter(c => c.action === 'AssumeRole').at(-1)!.params.RoleArn).toBe(role('ci-deploy'));
  });

  test('a trust policy without sts:TagSession needs role-skip-session-tagging', async () => {
    const keys = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };
    const tagged = await world.run({ 'role-to-assume': role('ci-no-tags'), ...keys });
    expect(tagged.errors).toEqual([expect.stringContaining('sts:TagSession')]);
    const untagged = await world.run({ 'role-to-assume': role('ci-no-tags'), 'role-skip-session-tagging': 'true', ...keys });
    expectSucceeded(untagged, USER_SECRETS);
    expect(world.sts.sessions.at(-1)!.tags).toEqual({});
  });

  test('external id, transitive tag keys, session policies and duration reach STS', async () => {
    const policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
    const result = await world.run({
      'role-to-assume': role('ci-external'),
      'aws-access-key-id': USER.accessKeyId,
      'aws-secret-access-key': USER.secretAccessKey,
      'role-external-id': 'partner-7781',
      'transitive-tag-keys': 'Repository\nActor',
      'inline-session-policy': `\n${policy}\n`,
      'managed-session-policies': 'arn:aws:iam::aws:policy/ReadOnlyAccess\narn:aws:iam::111122223333:policy/extra',
      'role-duration-seconds': '900'
    });
    expectSucceeded(result, USER_SECRETS);
    const params = world.sts.calls.filter(c => c.action === 'AssumeRole').at(-1)!.params;
    expect(params).toMatchObject({
      ExternalId: 'partner-7781',
      Policy: policy,
      'PolicyArns.member.1.arn': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      'PolicyArns.member.2.arn': 'arn:aws:iam::111122223333:policy/extra',
      DurationSeconds: '900'
    });
    expect(world.sts.sessions.at(-1)!.transitiveTagKeys).toEqual(['Repository', 'Actor']);

    const wrong = await world.run({
      'role-to-assume': role('ci-external'),
      'aws-access-key-id': USER.accessKeyId,
      'aws-secret-access-key': USER.secretAccessKey,
      'role-external-id': 'partner-0000'
    });
    expect(wrong.errors).toEqual([expect.stringContaining(`AssumeRole for ${role('ci-external')} failed: AccessDenied`)]);
  });

  test('a session longer than the role allows is refused by STS, once', async () => {
    const before = world.sts.calls.length;
    const result = await world.run({
      'role-to-assume': role('ci-deploy'),
      'aws-access-key-id': USER.accessKeyId,
      'aws-secret-access-key': USER.secretAccessKey,
      'role-duration-seconds': '7200'
    });
    expect(result.errors).toEqual([expect.stringContaining('MaxSessionDuration')]);
    expect(world.sts.calls.length - before).toBe(1);
    const long = await world.run({
      'role-to-assume': role('ci-long'),
      'aws-access-key-id': USER.accessKeyId,
      'aws-secret-access-key': USER.secretAccessKey,
      'role-duration-seconds': '43200',
      'output-credentials': 'true'
    });
    expectSucceeded(long, USER_SECRETS);
    const expires = Date.parse(long.outputs['aws-expiration']!);
    expect(expires - Date.now()).toBeGreaterThan(43000 * 1000);
  });
});

describe('web identity token file', () => {
  test('the file is exchanged with AssumeRoleWithWebIdentity and its token masked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-file-'));
    const token = await issueToken();
    writeFileSync(join(dir, 'token'), `${token}\n`);
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'web-identity-token-file': 'token' }, { env: { GITHUB_WORKSPACE: dir }, oidc: false });
    expectSucceeded(result);
    expect(result.masks).toContain(token);
    expect(world.sts.sessions.at(-1)!.viaAction).toBe('AssumeRoleWithWebIdentity');
  });

  test('a symbolic link is refused before any call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-link-'));
    writeFileSync(join(dir, 'real'), await issueToken());
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    const before = world.sts.calls.length;
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'web-identity-token-file': join(dir, 'link') }, { oidc: false });
    expect(result.errors).toEqual([`Invalid input: web-identity-token-file: ${join(dir, 'link')} is a symbolic link; give the path of the file itself`]);
    expect(world.sts.calls.length).toBe(before);
  });

  async function issueToken(): Promise<string> {
    const response = await fetch(`${world.oidc.requestUrl}&audience=sts.amazonaws.com`, { headers: { Authorization: `Bearer ${world.oidc.requestToken}` } });
    return ((await response.json()) as { value: string }).value;
  }
});

describe('role chaining', () => {
  test('the second role is assumed with the first session, signed by its keys', async () => {
    const first = await world.run({ 'role-to-assume': role('gha-deploy') });
    expectSucceeded(first);
    const firstKey = first.env.AWS_ACCESS_KEY_ID;
    issued.restart();
    const second = await world.run({ 'role-to-assume': role('chained'), 'role-chaining': 'true' }, { env: first.env, oidc: false });
    expectSucceeded(second);
    expect(world.sts.calls.filter(c => c.action === 'AssumeRole').at(-1)).toMatchObject({ accessKeyId: firstKey, status: 200 });
    expect(second.outputs['authenticated-arn']).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/chained/GitHubActions`);
  });
});
