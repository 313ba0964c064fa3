// role-chain: from the job's OIDC token to a hub role to a target role in another account, in one
// step, each hop signed with the previous hop's credentials; in process (a later AWS CLI step: e2e/chain.test.ts).
import { expectNoLeaks } from '../support/leaks.ts';
import { ACCOUNT, OTHER_ACCOUNT, role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const HUB = role('gha-hub');
const TARGET = role('deploy-target', OTHER_ACCOUNT);

describe('role-chain', () => {
  test('OIDC → hub → target: each hop is signed by the one before, and the target is exported', async () => {
    const calls = world.sts.calls.length;
    const sessions = world.sts.sessions.length;
    const result = await world.run({ 'role-to-assume': HUB, 'role-chain': TARGET, 'role-session-name': 'release-42' });
    expect({ exitCode: result.exitCode, errors: result.errors }).toEqual({ exitCode: 0, errors: [] });

    const [hub, target] = world.sts.sessions.slice(sessions);
    expect([hub?.roleArn, target?.roleArn]).toEqual([HUB, TARGET]);
    const made = world.sts.calls.slice(calls);
    expect(made.map(c => [c.action, c.params['RoleArn'] ?? '', c.accessKeyId ?? ''])).toEqual([
      ['AssumeRoleWithWebIdentity', HUB, ''],
      ['AssumeRole', TARGET, hub!.accessKeyId],
      ['GetCallerIdentity', '', target!.accessKeyId]
    ]);
    expect(target!.sourceAccessKeyId).toBe(hub!.accessKeyId);
    expect(result.env).toMatchObject({ AWS_ACCESS_KEY_ID: target!.accessKeyId, AWS_SESSION_TOKEN: target!.sessionToken });
    expect(result.outputs['authenticated-arn']).toBe(`arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/deploy-target/release-42`);
    expect(result.stdout).toContain(`→ AssumeRole ${TARGET} (signed by the previous role)`);
    expect(result.stdout).toContain(`Hop 1 of 2: assumed arn:aws:sts::${ACCOUNT}:assumed-role/gha-hub/release-42`);
    expect(result.stdout).toContain(`Hop 2 of 2: assumed arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/deploy-target/release-42`);
    const secrets = [hub!, target!].flatMap(s => [s.accessKeyId, s.secretAccessKey, s.sessionToken]);
    expect(result.masks).toEqual(expect.arrayContaining(secrets));
    expectNoLeaks(result, [...secrets, world.oidc.issued.at(-1)!.token]);
  });

  test('session policies limit the last hop only, so the hub can still assume the target', async () => {
    const calls = world.sts.calls.length;
    const policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
    const result = await world.run({ 'role-to-assume': HUB, 'role-chain': TARGET, 'inline-session-policy': policy });
    expect(result.errors).toEqual([]);
    const [web, hop] = world.sts.calls.slice(calls);
    expect([web?.params['Policy'], hop?.params['Policy']]).toEqual([undefined, policy]);
  });

  test('a refused hop fails at once and says which caller the target must trust', async () => {
    const calls = world.sts.calls.length;
    const result = await world.run({ 'role-to-assume': HUB, 'role-chain': role('ungranted-target', OTHER_ACCOUNT) });
    expect(result.exitCode).toBe(1);
    expect([result.env, result.outputs]).toEqual([{}, {}]);
    const error = result.errors[0] ?? '';
    expect(error).toMatch(new RegExp(`^AssumeRole for ${role('ungranted-target', OTHER_ACCOUNT)} failed: AccessDenied`));
    expect(error).toContain(`The caller is arn:aws:sts::${ACCOUNT}:assumed-role/gha-hub/GitHubActions.`);
    expect(error).toContain(`"Principal":{"AWS":"${HUB}"}`);
    expect(error).toContain(`"Resource":"${role('ungranted-target', OTHER_ACCOUNT)}"`);
    // The caller is the previous hop, already known: no GetCallerIdentity, no retry.
    expect(world.sts.calls.slice(calls).map(c => c.action)).toEqual(['AssumeRoleWithWebIdentity', 'AssumeRole']);
    expect(result.summary).toContain(`"Principal":{"AWS":"${HUB}"}`);
  });

  test('a duration above one hour and a line that is not an ARN are refused together, before any call', async () => {
    const calls = world.sts.calls.length;
    const tokens = world.oidc.requests;
    const result = await world.run({ 'role-to-assume': HUB, 'role-chain': `${TARGET}\ndeploy-target`, 'role-duration-seconds': '7200' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.split('\n')).toEqual([
      '2 invalid inputs:',
      expect.stringMatching(/^- role-chain: line 2, 'deploy-target', is not a role ARN/),
      '- role-duration-seconds: must be at most 3600 with role-chain: AWS limits chained role sessions to one hour per hop'
    ]);
    expect([world.sts.calls.length, world.oidc.requests]).toEqual([calls, tokens]);
  });
});
