// Every source of credentials, end to end: the built action as a workflow step, the local STS checking
// signatures and trust policies, then a later step that uses the exports (the AWS CLI, or the SDK without it). The rest of
// each source's behaviour (audiences, tags, policies, durations, token files) runs in process:
// flows/sources.test.ts.
import { trackIssued } from '../support/issued.ts';
import { ACCOUNT, USER, awsEnv, role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());
const issued = trackIssued(() => world);
const expectSucceeded = issued.expectSucceeded;

const USER_SECRETS = [USER.accessKeyId, USER.secretAccessKey];

describe('GitHub OIDC', () => {
  test('a later step is the assumed role, and every secret was masked before use', async () => {
    const result = await world.step({ 'role-to-assume': role('gha-deploy') });
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

    const later = await world.whoami(awsEnv(result));
    expect(later.identity).toMatchObject({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/GitHubActions` });
  });
});

describe('stored access keys', () => {
  test('AssumeRole is signed with exactly the given keys and tags the session with the run', async () => {
    const ambient = { AWS_ACCESS_KEY_ID: 'AKIAAMBIENTDONOTUSE1', AWS_SECRET_ACCESS_KEY: 'ambient-secret-must-not-sign' };
    const result = await world.step(
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
    const later = await world.whoami(awsEnv(result));
    expect(later.identity?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/ci-deploy/nightly-sync`);
  });

  test('keys without a role are verified and exported, and a stale session token is cleared', async () => {
    const result = await world.step(
      { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey },
      { env: { AWS_SESSION_TOKEN: 'stale-token-from-an-earlier-step' } }
    );
    expectSucceeded(result, USER_SECRETS);
    expect(result.env).toMatchObject({ AWS_ACCESS_KEY_ID: USER.accessKeyId, AWS_SESSION_TOKEN: '' });
    expect(result.outputs['authenticated-arn']).toBe(USER.arn);
    expect((await world.whoami(awsEnv(result))).identity?.Arn).toBe(USER.arn);
  });
});

describe('role chaining', () => {
  test('the second role is assumed with the first session, signed by its keys', async () => {
    const first = await world.step({ 'role-to-assume': role('gha-deploy') });
    expectSucceeded(first);
    const firstKey = first.env.AWS_ACCESS_KEY_ID;
    issued.restart();
    const second = await world.step({ 'role-to-assume': role('chained'), 'role-chaining': 'true' }, { env: first.env, oidc: false });
    expectSucceeded(second);
    expect(world.sts.calls.filter(c => c.action === 'AssumeRole').at(-1)).toMatchObject({ accessKeyId: firstKey, status: 200 });
    expect((await world.whoami(awsEnv(second))).identity?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/chained/GitHubActions`);
  });
});
