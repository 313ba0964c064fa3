// refresh-credentials' local credentials server, built and spawned: read by the AWS CLI and the JS SDK as
// later steps, stopped by the post step, and the server process on its own. The profile mode:
// e2e/refresh.test.ts; the server's logic in process: flows/refresh-server.test.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { callerIdentity, hasAwsCli } from '../support/aws-cli.ts';
import { processAlive } from '../../src/runtime.js';
import { laterStepEnv, serverPid } from '../support/refresh-step.ts';
import type { StepResult } from '../support/step-runner.ts';
import { ACCOUNT, REPO_ROOT, role, startWorld, type World } from '../support/world.ts';

// Short enough to cross in a test, long enough for the main step to verify what it got.
const LIFETIME_SECONDS = 4;
const ASSUMED = `arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/GitHubActions`;

let world: World;
beforeAll(async () => {
  world = await startWorld({ sts: { sessionLifetimeSeconds: LIFETIME_SECONDS } });
});
afterAll(() => world.close());

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('refresh-credentials: the local credentials server', () => {
  let long: World;
  beforeAll(async () => {
    long = await startWorld();
  });
  afterAll(() => long.close());

  const later = (result: StepResult) => laterStepEnv(long, result);

  test('N later calls by the AWS CLI and the JS SDK cost no assume and no token; the post step stops the server', async () => {
    const result = await long.step({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true' });
    expect({ exitCode: result.exitCode, errors: result.errors }).toEqual({ exitCode: 0, errors: [] });
    expect(result.env['AWS_CONTAINER_CREDENTIALS_FULL_URI']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/aws-assume-role-action\/credentials$/);
    const pid = serverPid(result);
    expect(processAlive(pid)).toBe(true);
    const [sessions, tokens] = [long.sts.sessions.length, long.oidc.issued.length];
    const clients = ['aws-cli', 'sdk', 'aws-cli', 'sdk', 'aws-cli', 'aws-cli'] as const;
    for (const client of hasAwsCli ? clients : clients.filter(c => c === 'sdk')) {
      const call = await callerIdentity(long.sts.url, later(result), { client });
      expect({ client, exitCode: call.exitCode, stderr: call.stderr, arn: call.identity?.Arn }).toEqual({ client, exitCode: 0, stderr: '', arn: ASSUMED });
    }
    expect([long.sts.sessions.length - sessions, long.oidc.issued.length - tokens]).toEqual([0, 0]);

    const post = await long.post(result);
    expect({ exitCode: post.exitCode, errors: post.errors }).toEqual({ exitCode: 0, errors: [] });
    expect(post.stdout).toMatch(/Stopped the local credentials server/);
    expect(post.env).toMatchObject({ AWS_CONTAINER_CREDENTIALS_FULL_URI: '', AWS_CONTAINER_AUTHORIZATION_TOKEN: '' });
    expect(processAlive(pid)).toBe(false);
    await expect(fetch(result.env['AWS_CONTAINER_CREDENTIALS_FULL_URI']!)).rejects.toThrow();
  }, 60_000);

  test('a killed server is reported by the next call at once, naming this action, not a hang', async () => {
    const result = await long.step({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true' });
    expect(result.errors).toEqual([]);
    process.kill(serverPid(result), 'SIGKILL');
    while (processAlive(serverPid(result))) await sleep(20);
    const call = await callerIdentity(long.sts.url, later(result), { timeoutMs: 20_000 });
    expect(call.exitCode).not.toBe(0);
    // The AWS CLI quotes the URL, whose path names this action; the JS SDK's default chain reports
    // only that no provider answered (it drops each provider's message).
    expect(call.stderr).toContain(hasAwsCli ? 'aws-assume-role-action' : 'Could not load credentials from any providers');
    const post = await long.post(result);
    expect(post.stdout).toMatch(/had already stopped/);
  }, 60_000);
});

describe('refresh-credentials: the server with sessions shorter than its margin', () => {
  test('re-assumes for each caller once the session is near its end, so a later step never gets expired keys', async () => {
    const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true' });
    expect(result.errors).toEqual([]);
    const first = world.sts.sessions.at(-1)!;
    await sleep(first.expiration.getTime() - Date.now() + 500);
    const sessions = world.sts.sessions.length;
    const env = laterStepEnv(world, result);
    const after = await world.whoami(env);
    expect({ exitCode: after.exitCode, stderr: after.stderr, arn: after.identity?.Arn }).toEqual({ exitCode: 0, stderr: '', arn: ASSUMED });
    // A client refreshes credentials this close to their end at once (botocore: under 10 minutes), and so asks twice.
    const fresh = world.sts.sessions.slice(sessions);
    expect(fresh.length).toBeGreaterThanOrEqual(1);
    expect(new Set(fresh.map(s => `${s.viaAction} ${s.roleArn}`))).toEqual(new Set([`AssumeRoleWithWebIdentity ${role('gha-deploy')}`]));
    await world.post(result);
  }, 30_000);
});

describe('refresh-credentials: the built server process on its own', () => {
  const SERVER = join(REPO_ROOT, 'dist', 'refresh', 'index.js');

  /** Starts `dist/refresh/index.js serve` as the main step does, with this request on stdin; resolves with its first line or its exit. */
  function serve(stdin: string): Promise<{ child: ChildProcess; line: string; stderr: string; code: number | null }> {
    return new Promise(resolve => {
      const child = spawn(process.execPath, [SERVER, 'serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let [out, err] = ['', ''];
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('\n')) resolve({ child, line: out.trim(), stderr: err, code: null });
      });
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.on('exit', code => resolve({ child, line: out.trim(), stderr: err, code }));
      child.stdin.end(stdin);
    });
  }

  test("a request on stdin that is not the main step's is refused, naming the server, and it exits", async () => {
    const result = await serve('{"credentials":{}}');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^aws-assume-role-action refresh-credentials server: the request on stdin is not one the main step sends/);
  });

  test('it exits on its own once the runner process it watches is gone', async () => {
    const runner = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const request = {
      spec: {
        source: { kind: 'oidc', audience: 'sts.amazonaws.com' },
        roles: [role('gha-deploy')],
        sessionName: 's',
        durationSeconds: 3600,
        region: 'us-east-1',
        maxAttempts: 1,
        tagging: true,
        policyArns: []
      },
      credentials: { accessKeyId: 'ASIAWATCHEDWATCHED', secretAccessKey: 'watched-secret', sessionToken: 'watched-token', expiration: new Date(Date.now() + 3_600_000).toISOString() },
      authorization: 'w'.repeat(43),
      nonce: 'f'.repeat(32),
      watchPid: runner.pid
    };
    const started = await serve(JSON.stringify(request));
    expect(started.line).toMatch(/^READY \d+$/);
    const pid = started.child.pid!;
    runner.kill('SIGKILL');
    while (processAlive(pid)) await sleep(100);
    await expect(fetch(`http://127.0.0.1:${started.line.split(' ')[1]}/aws-assume-role-action/credentials`)).rejects.toThrow();
  }, 30_000);
});
