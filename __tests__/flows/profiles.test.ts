// aws-profile, overwrite-aws-profile and profiles: shared files the AWS CLI reads, written safely, in
// process. The AWS CLI reading them in a later step: e2e/profiles.test.ts.
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OWNER_MARK } from '../../src/export/shared-file.js';
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

test('aws-profile writes a private profile, and exports no keys by default', async () => {
  const { home, env } = awsHome();
  const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'aws-profile': 'deploy' }, { env, home });
  expect(result.errors).toEqual([]);
  expect(result.env).toEqual({});
  expect(result.outputs['authenticated-arn']).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/GitHubActions`);
  expect(statSync(join(home, '.aws')).mode & 0o777).toBe(0o700);
  expect(statSync(join(home, '.aws', 'credentials')).mode & 0o777).toBe(0o600);
  expect(readFileSync(join(home, '.aws', 'config'), 'utf8')).toBe(`[profile deploy]\n${OWNER_MARK}\nregion = us-east-1\n`);
});

test('unset-current-credentials with a profile clears the old credentials from the environment', async () => {
  const { home, env } = awsHome();
  const result = await world.run(
    { 'role-to-assume': role('gha-deploy'), 'aws-profile': 'deploy', 'unset-current-credentials': 'true' },
    { env: { ...env, AWS_ACCESS_KEY_ID: 'AKIAOLDOLDOLDOLD1234' }, home }
  );
  expect(result.errors).toEqual([]);
  expect(result.env).toEqual({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_PROFILE: '' });
});

test('stored keys + role + aws-profile: the role is assumed with the keys and written (configure-aws-credentials #1846)', async () => {
  const { home, env } = awsHome();
  const result = await world.run({ ...KEYS, 'role-to-assume': role('ci-deploy'), 'aws-profile': 'ci', 'output-env-credentials': 'true' }, { env, home });
  expect(result.errors).toEqual([]);
  expect(world.sts.calls.filter(c => c.action === 'AssumeRole').at(-1)?.accessKeyId).toBe(USER.accessKeyId);
  expect(result.env.AWS_PROFILE).toBe('ci');
  expect(result.outputs['authenticated-arn']).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/ci-deploy/GitHubActions`);
  expect(readFileSync(join(home, '.aws', 'credentials'), 'utf8')).toMatch(/^\[ci\]\n# Written by .*\naws_access_key_id = ASIA/);
});

test('other sections and comments are kept; an existing profile needs overwrite-aws-profile, checked before any call, and is put back by the post step', async () => {
  const { home, env } = awsHome();
  mkdirSync(join(home, '.aws'), { mode: 0o700 });
  const before = '# team profiles\n[other]\naws_access_key_id = AKIAOTHEROTHEROTHER\naws_secret_access_key = keep-me\n\n; deploy below\n[deploy]\naws_access_key_id = OLD\n';
  writeFileSync(join(home, '.aws', 'credentials'), before, { mode: 0o600 });
  const calls = world.sts.calls.length;
  const refused = await world.run({ 'role-to-assume': role('gha-deploy'), 'aws-profile': 'deploy' }, { env, home });
  expect(refused.errors).toEqual([`Invalid input: aws-profile: profile 'deploy' already exists in ${join(home, '.aws', 'credentials')}; set overwrite-aws-profile: true to replace it`]);
  expect(world.sts.calls.length).toBe(calls);
  expect(readFileSync(join(home, '.aws', 'credentials'), 'utf8')).toBe(before);

  const replaced = await world.run({ 'role-to-assume': role('gha-deploy'), 'aws-profile': 'deploy', 'overwrite-aws-profile': 'true' }, { env, home });
  expect(replaced.errors).toEqual([]);
  const after = readFileSync(join(home, '.aws', 'credentials'), 'utf8');
  expect(
    after.startsWith(
      `# team profiles\n[other]\naws_access_key_id = AKIAOTHEROTHEROTHER\naws_secret_access_key = keep-me\n\n; deploy below\n[deploy]\n${OWNER_MARK}\naws_access_key_id = ASIA`
    )
  ).toBe(true);
  expect(after).not.toContain('OLD');

  const post = world.runPost(replaced, { HOME: home });
  expect(post.exitCode).toBe(0);
  // The user's own [deploy] was replaced because overwrite-aws-profile asked for it; the post step puts it back.
  expect(readFileSync(join(home, '.aws', 'credentials'), 'utf8')).toBe(before);
});

test('a symbolic link in place of the credentials file is refused before any call', async () => {
  const { home, env } = awsHome();
  mkdirSync(join(home, '.aws'));
  writeFileSync(join(home, 'elsewhere'), '');
  symlinkSync(join(home, 'elsewhere'), join(home, '.aws', 'credentials'));
  const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'aws-profile': 'deploy' }, { env, home });
  expect(result.errors).toEqual([expect.stringContaining('is a symbolic link; refusing to follow it')]);
  expect(lstatSync(join(home, '.aws', 'credentials')).isSymbolicLink()).toBe(true);
  expect(readFileSync(join(home, 'elsewhere'), 'utf8')).toBe('');
});

test('AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE are where profiles go when set', async () => {
  const { home } = awsHome();
  const files = { AWS_SHARED_CREDENTIALS_FILE: join(home, 'creds', 'file'), AWS_CONFIG_FILE: join(home, 'conf', 'file') };
  const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'aws-profile': 'default' }, { env: { HOME: home, ...files }, home });
  expect(result.errors).toEqual([]);
  expect(readFileSync(files.AWS_CONFIG_FILE, 'utf8')).toBe(`[default]\n${OWNER_MARK}\nregion = us-east-1\n`);
  expect(readFileSync(files.AWS_SHARED_CREDENTIALS_FILE, 'utf8')).toMatch(/^\[default\]\n# Written by .*\naws_access_key_id = ASIA/);
});

describe('several profiles in one step', () => {
  test('each role is assumed from the same source, verified, and written to its own profile', async () => {
    const { home, env } = awsHome();
    const result = await world.run({ ...KEYS, profiles: `deploy=${role('ci-deploy')}\nlong=${role('ci-long')},region=eu-west-1` }, { env, home });
    expect(result.errors).toEqual([]);
    expect(world.sts.calls.slice(-4).map(c => `${c.action} ${c.params.RoleArn ?? ''}`.trim())).toEqual([
      `AssumeRole ${role('ci-deploy')}`,
      'GetCallerIdentity',
      `AssumeRole ${role('ci-long')}`,
      'GetCallerIdentity'
    ]);
    expect(result.env).toEqual({});
    expect(readFileSync(join(home, '.aws', 'config'), 'utf8')).toBe(`[profile deploy]\n${OWNER_MARK}\nregion = us-east-1\n\n[profile long]\n${OWNER_MARK}\nregion = eu-west-1\n`);
  });

  test('one refused role fails the step and writes nothing', async () => {
    const { home, env } = awsHome();
    const result = await world.run({ ...KEYS, profiles: `deploy=${role('ci-deploy')}\nnope=${role('nobody')}` }, { env, home });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([expect.stringContaining(`AssumeRole for ${role('nobody')} failed: AccessDenied`)]);
    expect(() => statSync(join(home, '.aws', 'credentials'))).toThrow();
  });

  test('bad lines are rejected up front, each named', async () => {
    const calls = world.sts.calls.length;
    const result = await world.run({ ...KEYS, profiles: 'deploy\nx y=arn\nok=arn:aws:iam::111122223333:role/r,region=mars' });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/profiles: 'deploy' is not NAME=ROLE_ARN/);
    expect(result.errors[0]).toMatch(/profiles: 'mars' \(profile ok\) is not an AWS region name/);
    expect(world.sts.calls.length).toBe(calls);
  });
});
