// aws-profile and profiles: shared files the AWS CLI reads in a later step, written by the built step.
// How they are written (overwrite, symlinks, custom paths, refusals, the post step): flows/profiles.test.ts.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNER_MARK } from '../../src/export/shared-file.js';
import { callerIdentity } from '../support/aws-cli.ts';
import { ACCOUNT, USER, role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };

function awsHome(): { home: string; env: Record<string, string> } {
  const home = mkdtempSync(join(tmpdir(), 'aws-home-'));
  return { home, env: { HOME: home } };
}

/** A later step using a named profile, as `aws --profile NAME` would. */
async function whoamiWithProfile(home: string, profile: string) {
  const result = await callerIdentity(world.sts.url, { HOME: home }, { home, profile });
  return result.exitCode === 0 ? (JSON.parse(result.stdout) as { Arn: string }) : { Arn: `failed: ${result.stderr}` };
}

test('aws-profile writes a profile the AWS CLI uses, private, and exports no keys by default', async () => {
  const { home, env } = awsHome();
  const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'aws-profile': 'deploy' }, { env, home });
  expect(result.errors).toEqual([]);
  expect(result.env).toEqual({});
  expect(result.outputs['authenticated-arn']).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/GitHubActions`);
  expect((await whoamiWithProfile(home, 'deploy')).Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/GitHubActions`);
  expect(statSync(join(home, '.aws')).mode & 0o777).toBe(0o700);
  expect(statSync(join(home, '.aws', 'credentials')).mode & 0o777).toBe(0o600);
  expect(readFileSync(join(home, '.aws', 'config'), 'utf8')).toBe(`[profile deploy]\n${OWNER_MARK}\nregion = us-east-1\n`);
});

test('stored keys + role + aws-profile: the role is assumed with the keys and written (configure-aws-credentials #1846)', async () => {
  const { home, env } = awsHome();
  const result = await world.step({ ...KEYS, 'role-to-assume': role('ci-deploy'), 'aws-profile': 'ci', 'output-env-credentials': 'true' }, { env, home });
  expect(result.errors).toEqual([]);
  expect(world.sts.calls.filter(c => c.action === 'AssumeRole').at(-1)?.accessKeyId).toBe(USER.accessKeyId);
  expect(result.env.AWS_PROFILE).toBe('ci');
  expect((await whoamiWithProfile(home, 'ci')).Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/ci-deploy/GitHubActions`);
});

describe('several profiles in one step', () => {
  test('each role is assumed from the same source, verified, and written to its own profile', async () => {
    const { home, env } = awsHome();
    const result = await world.step(
      { ...KEYS, profiles: `deploy=${role('ci-deploy')}\nlong=${role('ci-long')},region=eu-west-1` },
      { env, home }
    );
    expect(result.errors).toEqual([]);
    expect(world.sts.calls.slice(-4).map(c => `${c.action} ${c.params.RoleArn ?? ''}`.trim())).toEqual([
      `AssumeRole ${role('ci-deploy')}`,
      'GetCallerIdentity',
      `AssumeRole ${role('ci-long')}`,
      'GetCallerIdentity'
    ]);
    expect(result.env).toEqual({});
    expect((await whoamiWithProfile(home, 'deploy')).Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/ci-deploy/GitHubActions`);
    expect(readFileSync(join(home, '.aws', 'config'), 'utf8')).toBe(`[profile deploy]\n${OWNER_MARK}\nregion = us-east-1\n\n[profile long]\n${OWNER_MARK}\nregion = eu-west-1\n`);
  });
});
