// refresh-credentials with aws-profile, in process: the config-file profile whose credential_process
// re-assumes the role, written privately, without a secret, undone by the post step; and the helper
// that line runs, called with the arguments the line gives it. Without aws-profile later steps read the
// local credentials server instead: flows/refresh-server.test.ts and e2e/refresh.test.ts.
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { runRefresh } from '../../src/refresh/helper.js';
import type { InProcessResult } from '../support/in-process.ts';
import { OTHER_ACCOUNT, USER, role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

/** Counts (never prints) the secrets found, so a failure report cannot leak them either. */
function expectAbsent(text: string, secrets: string[]): void {
  expect(secrets.filter(secret => text.includes(secret)).length).toBe(0);
}

test('the profile runs the helper for the role; later steps get it and blank key variables, never a secret', async () => {
  const stale = { AWS_ACCESS_KEY_ID: 'AKIASTALEFROMEARLIER', AWS_SECRET_ACCESS_KEY: 'stale-secret-from-an-earlier-step' };
  const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true', 'aws-profile': 'default' }, { env: stale });
  expect({ exitCode: result.exitCode, errors: result.errors }).toEqual({ exitCode: 0, errors: [] });
  expect(result.env).toEqual({
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: 'default',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1'
  });
  const configFile = join(result.home, '.aws', 'config');
  const config = readFileSync(configFile, 'utf8');
  expect(config).toMatch(
    /^\[default\]\n# Written by aws-assume-role-action.*\ncredential_process = .*refresh\/index\.js --role arn:aws:iam::111122223333:role\/gha-deploy .*\nregion = us-east-1\n$/
  );
  expect(statSync(configFile).mode & 0o777).toBe(0o600);
  expect(statSync(join(result.home, '.aws')).mode & 0o777).toBe(0o700);
  const session = world.sts.sessions.at(-1)!;
  expectAbsent(config, [session.accessKeyId, session.secretAccessKey, session.sessionToken, world.oidc.requestToken, world.oidc.issued.at(-1)!.token]);
});

test('an existing [default] is refused before any call; with overwrite-aws-profile it is replaced, and the post step puts it back', async () => {
  const home = mkdtempSync(join(tmpdir(), 'aws-assume-role-home-'));
  mkdirSync(join(home, '.aws'));
  const before = '# the team config\n[profile other]\nregion = eu-west-1\n\n[default]\noutput = json\n';
  writeFileSync(join(home, '.aws', 'config'), before);
  const inputs = { 'role-to-assume': role('gha-hub'), 'role-chain': role('deploy-target', OTHER_ACCOUNT), 'refresh-credentials': 'true', 'aws-profile': 'default' };
  const calls = world.sts.calls.length;
  const refused = await world.run(inputs, { home });
  expect(refused.errors).toEqual([expect.stringContaining("refresh-credentials: profile 'default' already exists")]);
  expect(world.sts.calls.length).toBe(calls);
  expect(readFileSync(join(home, '.aws', 'config'), 'utf8')).toBe(before);

  const result = await world.run({ ...inputs, 'overwrite-aws-profile': 'true' }, { home });
  expect(result.errors).toEqual([]);
  const written = readFileSync(join(home, '.aws', 'config'), 'utf8');
  expect(written.startsWith('# the team config\n[profile other]\nregion = eu-west-1\n\n[default]\n# Written by')).toBe(true);
  expect(written).toContain(`--chain ${role('deploy-target', OTHER_ACCOUNT)}`);

  const post = world.runPost(result);
  expect(post.exitCode).toBe(0);
  expect(readFileSync(join(home, '.aws', 'config'), 'utf8')).toBe(before);
  expect(post.env).toMatchObject({ AWS_PROFILE: '', AWS_ACCESS_KEY_ID: '' });
});

test('a custom AWS_CONFIG_FILE is written, its folder created, and handed to later steps', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'aws-assume-role-cfg-')), 'nested', 'config');
  const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true', 'aws-profile': 'default' }, { env: { AWS_CONFIG_FILE: file } });
  expect(result.errors).toEqual([]);
  expect(result.env['AWS_CONFIG_FILE']).toBe(file);
  expect(readFileSync(file, 'utf8')).toContain('credential_process = ');
});

test('a symlinked config file is refused and nothing is exported', async () => {
  const home = mkdtempSync(join(tmpdir(), 'aws-assume-role-home-'));
  mkdirSync(join(home, '.aws'));
  writeFileSync(join(home, 'elsewhere'), '');
  symlinkSync(join(home, 'elsewhere'), join(home, '.aws', 'config'));
  const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true', 'aws-profile': 'default' }, { home });
  expect(result.exitCode).toBe(1);
  expect(result.errors).toEqual([expect.stringContaining('is a symbolic link; refusing to follow it')]);
  expect([result.env, result.outputs]).toEqual([{}, {}]);
  expect(lstatSync(join(home, '.aws', 'config')).isSymbolicLink()).toBe(true);
  expect(readFileSync(join(home, 'elsewhere'), 'utf8')).toBe('');
});

test('stored keys cannot refresh: refused before any call', async () => {
  const calls = world.sts.calls.length;
  const result = await world.run({
    'role-to-assume': role('ci-deploy'),
    'aws-access-key-id': USER.accessKeyId,
    'aws-secret-access-key': USER.secretAccessKey,
    'refresh-credentials': 'true',
    'aws-profile': 'default'
  });
  expect(result.exitCode).toBe(1);
  expect(result.errors).toEqual([expect.stringMatching(/^Invalid input: refresh-credentials: only works with GitHub OIDC or web-identity-token-file/)]);
  expect(world.sts.calls.length).toBe(calls);
});

describe('the helper the profile runs', () => {
  /** The credential_process arguments after the script, split by /bin/sh as the SDKs split them. */
  function helperArguments(result: InProcessResult, file = join(result.home, '.aws', 'config')): string[] {
    const line = /^credential_process = (.*)$/m.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
    const words = execFileSync('/bin/sh', ['-c', `set -- ${line}; for w; do printf '%s\\0' "$w"; done`], { encoding: 'utf8' })
      .split('\0')
      .slice(0, -1);
    return words.slice(2); // node and the script
  }

  async function callHelper(argv: string[], env: Record<string, string>) {
    const io = { stdout: '', stderr: '' };
    const code = await runRefresh(argv, env, { stdout: t => (io.stdout += t), stderr: t => (io.stderr += t) }, () => import('../../src/sdk/index.js'));
    return { code, ...io };
  }

  const idToken = () => ({ ACTIONS_ID_TOKEN_REQUEST_URL: world.oidc.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: world.oidc.requestToken });

  test('prints credential_process JSON for a fresh session of the same role, from a fresh token', async () => {
    const main = await world.run({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true', 'aws-profile': 'default' });
    const sessions = world.sts.sessions.length;
    const tokens = world.oidc.issued.length;
    const helper = await callHelper(helperArguments(main), { HOME: main.home, ...idToken() });
    expect({ code: helper.code, stderr: helper.stderr }).toEqual({ code: 0, stderr: '' });
    const fresh = world.sts.sessions.slice(sessions);
    expect(fresh.map(s => [s.viaAction, s.roleArn])).toEqual([['AssumeRoleWithWebIdentity', role('gha-deploy')]]);
    expect(world.oidc.issued.length - tokens).toBe(1);
    expect(JSON.parse(helper.stdout)).toEqual({
      Version: 1,
      AccessKeyId: fresh[0]!.accessKeyId,
      SecretAccessKey: fresh[0]!.secretAccessKey,
      SessionToken: fresh[0]!.sessionToken,
      Expiration: fresh[0]!.expiration.toISOString()
    });
  });

  test('re-walks the chain, each hop signed by the one before', async () => {
    const target = role('deploy-target', OTHER_ACCOUNT);
    const main = await world.run({ 'role-to-assume': role('gha-hub'), 'role-chain': target, 'refresh-credentials': 'true', 'aws-profile': 'default' });
    const sessions = world.sts.sessions.length;
    const helper = await callHelper(helperArguments(main), { HOME: main.home, ...idToken() });
    expect(helper.code).toBe(0);
    const [hub, last] = world.sts.sessions.slice(sessions);
    expect([hub?.roleArn, last?.roleArn, last?.sourceAccessKeyId]).toEqual([role('gha-hub'), target, hub?.accessKeyId]);
    expect((JSON.parse(helper.stdout) as { AccessKeyId: string }).AccessKeyId).toBe(last?.accessKeyId);
  });

  test('without the id-token variables it says which permission the job needs, on stderr, and prints nothing', async () => {
    const main = await world.run({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true', 'aws-profile': 'default' });
    const calls = world.sts.calls.length;
    const helper = await callHelper(helperArguments(main), { HOME: main.home });
    expect({ code: helper.code, stdout: helper.stdout }).toEqual({ code: 1, stdout: '' });
    expect(helper.stderr).toMatch(/^aws-assume-role refresh-credentials: .*permissions: id-token: write/);
    expect(world.sts.calls.length).toBe(calls);
  });

  test('a refused role is reported on stderr with the STS error, and nothing printed', async () => {
    const main = await world.run({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true', 'aws-profile': 'default' });
    const argv = helperArguments(main).map(word => word.replace(role('gha-deploy'), role('gha-other-repo')));
    const helper = await callHelper(argv, { HOME: main.home, ...idToken() });
    expect({ code: helper.code, stdout: helper.stdout }).toEqual({ code: 1, stdout: '' });
    expect(helper.stderr).toContain(`AssumeRoleWithWebIdentity for ${role('gha-other-repo')} failed: AccessDenied`);
    expectAbsent(helper.stderr, [world.oidc.requestToken, ...world.oidc.issued.map(t => t.token)]);
  });

  test('bad arguments are refused before any call', async () => {
    const calls = world.sts.calls.length;
    const helper = await callHelper(['--role', role('gha-deploy'), '--bogus'], { ...idToken() });
    expect(helper.code).toBe(1);
    expect(helper.stderr).toMatch(/^aws-assume-role refresh-credentials: /);
    expect(world.sts.calls.length).toBe(calls);
  });
});
