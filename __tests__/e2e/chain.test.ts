// role-chain: from the job's OIDC token to a hub role to a target role in another account, in one
// step, each hop signed with the previous hop's credentials; a later step is the last role.
// The built step and a later AWS CLI step here; every other chain behaviour: flows/chain.test.ts.
import { expectNoLeaks } from '../support/leaks.ts';
import { ACCOUNT, OTHER_ACCOUNT, awsEnv, role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const HUB = role('gha-hub');
const TARGET = role('deploy-target', OTHER_ACCOUNT);

describe('role-chain', () => {
  test('OIDC → hub → target: each hop is signed by the one before, and a later step is the target', async () => {
    const calls = world.sts.calls.length;
    const sessions = world.sts.sessions.length;
    const result = await world.step({ 'role-to-assume': HUB, 'role-chain': TARGET, 'role-session-name': 'release-42' });
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

    const later = await world.whoami(awsEnv(result));
    expect(later.identity?.Arn).toBe(`arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/deploy-target/release-42`);
  });
});
