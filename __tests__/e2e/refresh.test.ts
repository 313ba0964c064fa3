// refresh-credentials with aws-profile, built and spawned: a config-file profile whose credential_process
// re-assumes the role, read by later steps. The server mode: e2e/refresh-server.test.ts; in process:
// flows/refresh.test.ts.
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callerIdentity, hasAwsCli, isLaterStepCall } from '../support/aws-cli.ts';
import { laterStepEnv } from '../support/refresh-step.ts';
import type { StepResult } from '../support/step-runner.ts';
import { ACCOUNT, OTHER_ACCOUNT, role, startWorld, type World } from '../support/world.ts';

// Short enough to cross in a test, long enough for the main step to verify what it got.
const LIFETIME_SECONDS = 4;
const ASSUMED = `arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/GitHubActions`;

let world: World;
beforeAll(async () => {
  world = await startWorld({ sts: { sessionLifetimeSeconds: LIFETIME_SECONDS } });
});
afterAll(() => world.close());

const laterStep = (...steps: StepResult[]): Record<string, string> => laterStepEnv(world, ...steps);

function laterStepCallsSince(index: number) {
  return world.sts.calls.slice(index).filter(c => c.action === 'GetCallerIdentity' && isLaterStepCall(c.userAgent));
}

/** Counts (never prints) the secrets found, so a failure report cannot leak them either. */
function expectAbsent(text: string, secrets: string[]): void {
  expect(secrets.filter(secret => text.includes(secret)).length).toBe(0);
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('refresh-credentials with aws-profile: the credential_process profile', () => {
  test('a later step still works after the first session expired, with a fresh assumption each time', async () => {
    const sessionsBefore = world.sts.sessions.length;
    const stale = { AWS_ACCESS_KEY_ID: 'AKIASTALEFROMEARLIER', AWS_SECRET_ACCESS_KEY: 'stale-secret-from-an-earlier-step' };
    const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true', 'aws-profile': 'default' }, { env: stale });
    expect({ exitCode: result.exitCode, errors: result.errors }).toEqual({ exitCode: 0, errors: [] });
    const first = world.sts.sessions[sessionsBefore]!;

    // No static keys for later steps: the profile, and blank key variables so no tool prefers stale ones.
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
    expectAbsent(config, [first.accessKeyId, first.secretAccessKey, first.sessionToken, world.oidc.requestToken, world.oidc.issued.at(-1)!.token]);

    const callsBefore = world.sts.calls.length;
    const before = await world.whoami(laterStep(result));
    expect(before.identity?.Arn).toBe(ASSUMED);

    await sleep(first.expiration.getTime() - Date.now() + 500);
    // The main step's own session is gone by now (the stand-in refuses an expired session with
    // ExpiredToken, standins/sts-server.test.ts): static keys would have stopped working here.
    expect(first.expiration.getTime()).toBeLessThan(Date.now());

    const after = await world.whoami(laterStep(result));
    expect({ exitCode: after.exitCode, stderr: after.stderr, arn: after.identity?.Arn }).toEqual({ exitCode: 0, stderr: '', arn: ASSUMED });

    const signers = laterStepCallsSince(callsBefore)
      .filter(c => c.status === 200)
      .map(c => c.accessKeyId);
    expect(signers).toHaveLength(2);
    expect(new Set(signers).size).toBe(2);
    const helperSessions = world.sts.sessions.slice(sessionsBefore + 1);
    expect(helperSessions.length).toBeGreaterThanOrEqual(2);
    for (const key of signers) {
      expect(helperSessions.find(s => s.accessKeyId === key)).toMatchObject({ viaAction: 'AssumeRoleWithWebIdentity', roleArn: role('gha-deploy') });
    }
  }, 30_000);

  test('the chain is re-done on each refresh, and the post step puts back the section it replaced', async () => {
    const home = mkdtempSync(join(tmpdir(), 'aws-assume-role-home-'));
    mkdirSync(join(home, '.aws'));
    const original = '# the team config\n[profile other]\nregion = eu-west-1\n\n[default]\noutput = json\n';
    writeFileSync(join(home, '.aws', 'config'), original);
    const target = role('deploy-target', OTHER_ACCOUNT);
    const result = await world.step(
      { 'role-to-assume': role('gha-hub'), 'role-chain': target, 'refresh-credentials': 'true', 'aws-profile': 'default', 'overwrite-aws-profile': 'true' },
      { home }
    );
    expect(result.errors).toEqual([]);
    const written = readFileSync(join(home, '.aws', 'config'), 'utf8');
    expect(written.startsWith('# the team config\n[profile other]\nregion = eu-west-1\n\n[default]\n# Written by')).toBe(true);

    const sessions = world.sts.sessions.length;
    const later = await world.whoami(laterStep(result));
    expect(later.identity?.Arn).toBe(`arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/deploy-target/GitHubActions`);
    const hops = world.sts.sessions.slice(sessions);
    expect(hops.slice(0, 2).map(s => s.roleArn)).toEqual([role('gha-hub'), target]);
    expect(hops[1]!.sourceAccessKeyId).toBe(hops[0]!.accessKeyId);

    // The runner gives the post step the job's HOME; it touches only files under it (or AWS_* variables).
    const post = await world.post(result, { HOME: home });
    expect(post.exitCode).toBe(0);
    expect(readFileSync(join(home, '.aws', 'config'), 'utf8')).toBe(original);
    expect(post.env).toMatchObject({ AWS_PROFILE: '', AWS_ACCESS_KEY_ID: '' });
  });

  test('a custom AWS_CONFIG_FILE is written and handed to later steps', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aws-assume-role-cfg-')), 'nested', 'config');
    const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true', 'aws-profile': 'default' }, { env: { AWS_CONFIG_FILE: file } });
    expect(result.errors).toEqual([]);
    expect(result.env['AWS_CONFIG_FILE']).toBe(file);
    expect(readFileSync(file, 'utf8')).toContain('credential_process = ');
    const later = await callerIdentity(world.sts.url, laterStep(result));
    expect(later.exitCode).toBe(0);
  });

  test('without id-token permission in the later step the helper says so, on stderr, with no secret', async () => {
    const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true', 'aws-profile': 'default' });
    const { ACTIONS_ID_TOKEN_REQUEST_URL: _url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: _token, ...without } = laterStep(result);
    const later = await world.whoami(without);
    expect(later.exitCode).not.toBe(0);
    // The CLI quotes the helper's stderr in its error; the SDK's default chain drops it and reports
    // only that no provider worked, so there the helper's advice cannot reach the log.
    expect(later.stderr).toContain(hasAwsCli ? 'permissions: id-token: write' : 'Could not load credentials from any providers');
    expectAbsent(later.stdout + later.stderr, [world.oidc.requestToken, ...world.oidc.issued.map(t => t.token)]);
  });
});
