// refresh-credentials without aws-profile, in process: later steps read the local credentials server
// (the container-credentials protocol) instead of keys or a profile. The server's logic against the
// stand-ins with a clock the test moves: the margin, single flight, refused callers, failed refreshes;
// the post step stopping it. The built server, the AWS CLI and the SDK as later steps: e2e/refresh.test.ts.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NONCE_HEADER, SERVER_PATH, SERVER_STATE, SHUTDOWN_PATH } from '../../src/export/refresh-server.js';
import type { RefreshSpec } from '../../src/export/refresh-spec.js';
import { stopServer } from '../../src/post/server.js';
import { processServerStarter } from '../../src/runtime.js';
import { specAssumer } from '../../src/refresh/helper.js';
import { credentialService, MARGIN_MS } from '../../src/refresh/server.js';
import type { SessionCredentials } from '../../src/types.js';
import type { StepResult } from '../support/step-runner.ts';
import { role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const AUTH = 'a'.repeat(43);
const NONCE = '0123456789abcdef0123456789abcdef';

function idToken(): Record<string, string> {
  return { ACTIONS_ID_TOKEN_REQUEST_URL: world.oidc.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: world.oidc.requestToken };
}

function spec(roleArn = role('gha-deploy')): RefreshSpec {
  return {
    source: { kind: 'oidc', audience: 'sts.amazonaws.com' },
    roles: [roleArn],
    sessionName: 'GitHubActions',
    durationSeconds: 3600,
    region: 'us-east-1',
    endpoint: world.sts.url,
    maxAttempts: 1,
    tagging: true,
    policyArns: []
  };
}

const quiet = { stdout: () => undefined, stderr: () => undefined };
const loadSdk = () => import('../../src/sdk/index.js');

/** A service whose held credentials end `leftMs` after the test clock's start. */
function service(leftMs: number, assume: () => Promise<SessionCredentials>) {
  const clock = { t: Date.parse('2026-12-01T12:00:00Z'), now: () => clock.t };
  const held: SessionCredentials = { accessKeyId: 'ASIAHELDHELDHELD', secretAccessKey: 'held-secret', sessionToken: 'held-token', expiration: new Date(clock.t + leftMs) };
  const svc = credentialService({ credentials: held, assume, clock, authorization: AUTH, nonce: NONCE });
  const get = () => svc.handle({ method: 'GET', path: SERVER_PATH, authorization: AUTH });
  return { svc, clock, held, get };
}

function answerKey(answer: { body: string }): string {
  return (JSON.parse(answer.body) as { AccessKeyId: string }).AccessKeyId;
}

function credentialsUrl(result: StepResult): string {
  return result.env['AWS_CONTAINER_CREDENTIALS_FULL_URI']!;
}

describe('the main step', () => {
  test('exports the server URL and a masked token instead of keys or a profile, and writes no file', async () => {
    const stale = { AWS_ACCESS_KEY_ID: 'AKIASTALEFROMEARLIER', AWS_SECRET_ACCESS_KEY: 'stale-secret-from-an-earlier-step' };
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true' }, { env: stale });
    expect({ exitCode: result.exitCode, errors: result.errors }).toEqual({ exitCode: 0, errors: [] });
    const { AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_CONTAINER_AUTHORIZATION_TOKEN: token, ...rest } = result.env;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/aws-assume-role-action\/credentials$/);
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(result.masks).toContain(token);
    expect(result.stdout.split('\n').filter(line => !line.startsWith('::add-mask::') && line.includes(token!))).toEqual([]);
    expect(rest).toEqual({
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1'
    });
    expect(existsSync(join(result.home, '.aws'))).toBe(false);
    expect(result.summary).toContain('re-assumed before expiry by the local credentials server');
    expect(JSON.parse(result.state[SERVER_STATE]!) as Record<string, string | number>).toEqual({
      port: Number(new URL(url!).port),
      pid: process.pid,
      nonce: expect.stringMatching(/^[0-9a-f]{32}$/) as string
    });
  });

  test("N later calls are served from memory: no token request, no STS call, the main step's session", async () => {
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true' });
    const session = world.sts.sessions.at(-1)!;
    const [calls, tokens] = [world.sts.calls.length, world.oidc.issued.length];
    const headers = { authorization: result.env['AWS_CONTAINER_AUTHORIZATION_TOKEN']! };
    const answers = await Promise.all(Array.from({ length: 25 }, () => fetch(credentialsUrl(result), { headers }).then(r => r.json())));
    expect(new Set(answers.map(a => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual({ AccessKeyId: session.accessKeyId, SecretAccessKey: session.secretAccessKey, Token: session.sessionToken, Expiration: session.expiration.toISOString() });
    expect([world.sts.calls.length - calls, world.oidc.issued.length - tokens]).toEqual([0, 0]);
  });

  test('a caller without the token is refused with a JSON error that names the action, and gets no secret', async () => {
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true' });
    const session = world.sts.sessions.at(-1)!;
    for (const headers of [{}, { authorization: 'wrong' }, { authorization: `${result.env['AWS_CONTAINER_AUTHORIZATION_TOKEN']}x` }] as Record<string, string>[]) {
      const response = await fetch(credentialsUrl(result), { headers });
      const text = await response.text();
      expect(response.status).toBe(401);
      expect((JSON.parse(text) as { Message: string }).Message).toMatch(/^aws-assume-role-action refresh-credentials server: the Authorization header does not match/);
      expect(text).not.toContain(session.secretAccessKey);
    }
  });

  test('a server that does not start fails the step, naming it, with nothing exported', async () => {
    const script = join(tmpdir(), 'aws-assume-role-missing', 'refresh', 'index.js');
    const helper = { node: process.execPath, script, server: processServerStarter(process.execPath, script, process.pid) };
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true' }, { helper });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([expect.stringMatching(/^refresh-credentials: the local credentials server did not start: it exited with code 1/)]);
    expect([result.env, result.outputs, result.state]).toEqual([{}, {}, {}]);
  });

  test('a failed export stops the server it started', async () => {
    const home = mkdtempSync(join(tmpdir(), 'aws-assume-role-inproc-'));
    let port = 0;
    // The state is written first (and truncated again by the undo): read the port while it is there.
    const afterAppend = (kind: string) => {
      if (kind === 'state') port = Number(/"port":(\d+)/.exec(readFileSync(join(home, 'temp', '_runner_file_commands', 'save_state'), 'utf8'))?.[1] ?? 0);
    };
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true' }, { home, exportFaults: { failAppend: 'env', afterAppend } });
    expect(result.exitCode).toBe(1);
    expect(port).toBeGreaterThan(0);
    await expect(fetch(`http://127.0.0.1:${port}${SERVER_PATH}`)).rejects.toThrow();
  });
});

describe('the server', () => {
  test('serves what it holds while more than the margin is left, then re-assumes once, for every waiting caller', async () => {
    const tokens = world.oidc.issued.length;
    const real = specAssumer(spec(), idToken(), quiet, loadSdk);
    let assumes = 0;
    const { svc, clock, held, get } = service(60 * 60 * 1000, () => {
      assumes += 1;
      return real();
    });
    expect(answerKey(await get())).toBe(held.accessKeyId);
    clock.t = held.expiration!.getTime() - MARGIN_MS - 1;
    expect(answerKey(await get())).toBe(held.accessKeyId);
    expect(assumes).toBe(0);

    clock.t = held.expiration!.getTime() - MARGIN_MS + 1;
    const answers = await Promise.all(Array.from({ length: 10 }, get));
    expect(assumes).toBe(1);
    expect(svc.refreshes()).toBe(1);
    expect(world.oidc.issued.length - tokens).toBe(1);
    const fresh = world.sts.sessions.at(-1)!;
    expect(new Set(answers.map(answerKey))).toEqual(new Set([fresh.accessKeyId]));
    // Fresh credentials are served without another walk until they too come near their end.
    await get();
    expect(assumes).toBe(1);
  });

  test('a refresh that fails while the held credentials are still valid serves them; once expired, a JSON error naming the action', async () => {
    const refused = specAssumer(spec(role('gha-other-repo')), idToken(), quiet, loadSdk);
    const { clock, held, get } = service(MARGIN_MS - 1000, refused);
    const stillValid = await get();
    expect([stillValid.status, answerKey(stillValid)]).toEqual([200, held.accessKeyId]);
    clock.t = held.expiration!.getTime() + 1;
    const expired = await get();
    expect(expired.status).toBe(500);
    expect(JSON.parse(expired.body) as { Code: string; Message: string }).toEqual({
      Code: 'RefreshFailed',
      Message: expect.stringMatching(/^aws-assume-role-action refresh-credentials server: could not re-assume the role: .*AccessDenied/) as string
    });
    expect(expired.body).not.toContain(held.secretAccessKey);
  });

  test("only the post step's nonce stops it; other paths and methods get JSON errors", async () => {
    const { svc } = service(60 * 60 * 1000, () => Promise.reject(new Error('not called')));
    expect((await svc.handle({ method: 'POST', path: SHUTDOWN_PATH, nonce: 'f'.repeat(32) })).status).toBe(403);
    expect(await svc.handle({ method: 'POST', path: SHUTDOWN_PATH, nonce: NONCE })).toMatchObject({ status: 200, shutdown: true });
    expect((await svc.handle({ method: 'GET', path: '/', authorization: AUTH })).status).toBe(404);
    expect((await svc.handle({ method: 'PUT', path: SERVER_PATH, authorization: AUTH })).status).toBe(405);
  });
});

describe('the post step', () => {
  function postEnv(result: StepResult, state = result.state[SERVER_STATE]!): Record<string, string> {
    return { [`STATE_${SERVER_STATE}`]: state };
  }

  test('stops the server: its port refuses afterwards; a second post finds it already stopped', async () => {
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true' });
    const lines: string[] = [];
    await stopServer(postEnv(result), line => lines.push(line));
    await expect(fetch(credentialsUrl(result))).rejects.toThrow();
    await stopServer(postEnv(result), line => lines.push(line));
    expect(lines).toEqual([expect.stringMatching(/^Stopped the local credentials server \(port \d+, pid \d+\)$/), expect.stringMatching(/had already stopped$/)]);
    // And the variables pointing at it are blanked for the steps after the post step.
    expect(world.runPost(result).env).toMatchObject({ AWS_CONTAINER_CREDENTIALS_FULL_URI: '', AWS_CONTAINER_AUTHORIZATION_TOKEN: '' });
  });

  test("leaves alone a server that cannot prove it is this run's (another nonce), and ignores a malformed record", async () => {
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true' });
    const record = JSON.parse(result.state[SERVER_STATE]!) as Record<string, unknown>;
    const lines: string[] = [];
    await stopServer(postEnv(result, JSON.stringify({ ...record, nonce: 'f'.repeat(32) })), line => lines.push(line));
    await stopServer(postEnv(result, JSON.stringify({ ...record, pid: 'x' })), line => lines.push(line));
    expect(lines).toEqual([expect.stringMatching(/^Left port \d+ and pid \d+ alone/), expect.stringMatching(/^Ignored the recorded credentials server/)]);
    const response = await fetch(credentialsUrl(result), { headers: { authorization: result.env['AWS_CONTAINER_AUTHORIZATION_TOKEN']! } });
    expect(response.status).toBe(200);
    expect(NONCE_HEADER).toBe('x-aws-assume-role-nonce');
  });
});
