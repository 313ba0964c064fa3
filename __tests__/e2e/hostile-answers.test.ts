// The built bundle, run as the runner runs it: server text cannot stop the runner's command processing,
// so every credential is still masked; and the process ends with the step, whatever is still pending.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { specArguments } from '../../src/export/refresh-spec.js';
import { forgedCommands, outputLines } from '../support/file-commands.ts';
import { expectNoLeaks } from '../support/leaks.ts';
import { REPO_ROOT, role, startWorld, type World } from '../support/world.ts';

const run = promisify(execFile);

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());
afterEach(() => {
  world.sts.clearFaults();
  world.oidc.clearFaults();
});

test('::stop-commands:: after a line break in an STS error message does not stop masking', async () => {
  world.sts.addFault({
    kind: 'error',
    action: 'AssumeRoleWithWebIdentity',
    times: 1,
    status: 503,
    code: 'ServiceUnavailable',
    message: 'Service busy\n::stop-commands::T0K3N\n::set-output name=aws-account-id::999999999999'
  });
  const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'output-credentials': 'true' });
  expect(result.exitCode).toBe(0);
  expect(result.errors).toEqual([]);
  expect(forgedCommands(result.stdout)).toEqual([]);
  const session = world.sts.sessions.at(-1)!;
  const token = world.oidc.issued.at(-1)!.token;
  // Registered as commands, i.e. after no stop-commands: the runner masks them in every later line.
  expect(result.masks).toEqual(expect.arrayContaining([token, session.accessKeyId, session.secretAccessKey, session.sessionToken]));
  expect(result.outputs['aws-account-id']).toBe('111122223333');
  expectNoLeaks(result, [token, session.accessKeyId, session.secretAccessKey, session.sessionToken]);
});

test('the process ends with the step: action-timeout-s fails it while STS is still dripping its answer', async () => {
  world.sts.addFault({ kind: 'drip', action: 'AssumeRoleWithWebIdentity', times: 1, intervalMs: 200 });
  const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'action-timeout-s': '1' });
  expect(result.timedOut).toBe(false);
  expect(result.exitCode).toBe(1);
  expect(result.errors).toEqual(['action-timeout-s: the step did not finish within 1 seconds; nothing was exported']);
});

test("the credential_process helper's stderr, which the tool running it prints into the job's log, is one neutralised line", async () => {
  world.sts.addFault({ kind: 'error', action: 'AssumeRoleWithWebIdentity', times: 1, status: 403, code: 'AccessDenied', message: 'no\n::stop-commands::T\r##[add-mask]x' });
  const args = specArguments({
    source: { kind: 'oidc', audience: 'sts.amazonaws.com' },
    roles: [role('gha-deploy')],
    sessionName: 'GitHubActions',
    durationSeconds: 3600,
    region: 'us-east-1',
    endpoint: world.sts.url,
    maxAttempts: 1,
    tagging: false,
    policyArns: []
  });
  const env = { PATH: process.env.PATH ?? '', HOME: tmpdir(), ACTIONS_ID_TOKEN_REQUEST_URL: world.oidc.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: world.oidc.requestToken };
  const failed = await run(process.execPath, [resolve(REPO_ROOT, 'dist', 'refresh', 'index.js'), ...args], { env }).catch((error: { code: number; stdout: string; stderr: string }) => error);
  expect(failed).toMatchObject({ code: 1, stdout: '' });
  const { stderr } = failed as { stderr: string };
  expect(outputLines(stderr)).toHaveLength(1);
  expect(stderr).toContain('AccessDenied: no ⏎ ::stop_commands::T ⏎ ## [add-mask]x');
  expect(forgedCommands(stderr)).toEqual([]);
});

test('a config file path with a line break and ::stop-commands:: stays on its line in the step and in the post step', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'aws-assume-role-hostile-')), 'x\n::stop-commands::T\n##[set-output name=a]b');
  const configFile = join(dir, 'config');
  // With aws-profile, refresh-credentials writes its credential_process profile to the config file, whose path both steps print.
  const main = await world.step({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true', 'aws-profile': 'default' }, { env: { AWS_CONFIG_FILE: configFile } });
  expect(main.errors).toEqual([]);
  expect(forgedCommands(main.stdout)).toEqual([]);
  const post = await world.post(main, { AWS_CONFIG_FILE: configFile });
  expect(post.errors).toEqual([]);
  expect(post.stdout).toContain('::stop_commands::T ⏎ ## [set-output name=a]b/config');
  expect(forgedCommands(post.stdout)).toEqual([]);
});
