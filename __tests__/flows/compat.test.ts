// The rest of configure-aws-credentials' inputs, and the places where it misbehaves and we do not,
// in process. The deadline as a real process meets it: e2e/timeouts.test.ts.
import type { Runtime } from '../../src/ports.js';
import { fakeClock } from '../support/in-process.ts';
import { expectNoLeaks } from '../support/leaks.ts';
import { startProxy, type ProxyServer } from '../support/proxy-server.ts';
import { ACCOUNT, USER, awsEnv, role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld({ sts: { maxPackedTagChars: 1000 } });
});
afterAll(() => world.close());
afterEach(() => world.sts.clearFaults());

const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };
const lastAssume = () => world.sts.calls.filter(c => c.action === 'AssumeRole').at(-1)!;

describe('http-proxy and no-proxy', () => {
  let proxy: ProxyServer;
  beforeAll(async () => {
    proxy = await startProxy({ user: 'ci', password: 'pr0xy-s3cret' });
  });
  afterAll(() => proxy.close());

  test('STS and the OIDC token request go through the proxy, whose URL is masked', async () => {
    const seen = proxy.requests.length;
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'http-proxy': proxy.url });
    expect(result.errors).toEqual([]);
    const through = proxy.requests.slice(seen).map(r => r.target);
    expect(through.some(t => t.startsWith(`${world.sts.url}/`))).toBe(true);
    expect(through.some(t => t.startsWith(world.oidc.requestUrl.split('?')[0]!))).toBe(true);
    expect(result.masks).toEqual(expect.arrayContaining([proxy.url, 'pr0xy-s3cret']));
    expectNoLeaks(result, [proxy.url, 'pr0xy-s3cret']);
  });

  test('HTTPS_PROXY from the environment is used, and no-proxy host:port bypasses it for that port only', async () => {
    const seen = proxy.requests.length;
    const stsHostPort = new URL(world.sts.url).host;
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'no-proxy': stsHostPort }, { env: { HTTPS_PROXY: proxy.url } });
    expect(result.errors).toEqual([]);
    const through = proxy.requests.slice(seen).map(r => r.target);
    expect(through.some(t => t.includes(stsHostPort))).toBe(false);
    expect(through.some(t => t.startsWith(world.oidc.requestUrl.split('?')[0]!))).toBe(true);
  });

  test('a bad proxy URL is refused before any call, without quoting it', async () => {
    const calls = world.sts.calls.length;
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'http-proxy': 'socks5://user:hunter2@proxy:1080' });
    expect(result.errors).toEqual(['Invalid input: http-proxy: the value is not an http(s) URL such as http://proxy.example.com:3128']);
    expect(world.sts.calls.length).toBe(calls);
  });
});

describe('custom-tags', () => {
  test('are sent with the run tags', async () => {
    const result = await world.run({ ...KEYS, 'role-to-assume': role('ci-deploy'), 'custom-tags': '{"Team":"payments","Cost":42,"Audited":true}' });
    expect(result.errors).toEqual([]);
    expect(world.sts.sessions.at(-1)!.tags).toMatchObject({ Team: 'payments', Cost: '42', Audited: 'true', GitHub: 'Actions', EventName: 'push', RunId: expect.any(String) });
  });

  test.each([
    ['{"Team":', /custom-tags: is not valid JSON/],
    ['["a"]', /custom-tags: must be a JSON object/],
    ['{"Repository":"mine"}', /custom-tags: key 'Repository' is a tag this action sets itself/],
    ['{"team":"a","Team":"b"}', /custom-tags: keys differ only in case/],
    ['{"Nested":{"a":1}}', /custom-tags: the value of 'Nested' must be a string, number or boolean/],
    ['{"Bad*Key":"x"}', /custom-tags: key 'Bad\*Key' must be/],
    [JSON.stringify(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`K${i}`, 'v']))), /custom-tags: 40 tags plus this action's 13 make 53; STS allows 50/]
  ])('%s is refused before any call', async (tags, rule) => {
    const calls = world.sts.calls.length;
    const result = await world.run({ ...KEYS, 'role-to-assume': role('ci-deploy'), 'custom-tags': tags });
    expect(result.errors).toEqual([expect.stringMatching(rule)]);
    expect(world.sts.calls.length).toBe(calls);
  });

  test('when STS finds the tags too large, the droppable run tags are dropped once, with a log line', async () => {
    const big = JSON.stringify({ Note: 'n'.repeat(200), Other: 'o'.repeat(200) });
    const since = world.sts.calls.length;
    const result = await world.run({ ...KEYS, 'role-to-assume': role('ci-deploy'), 'custom-tags': big }, { env: { GITHUB_HEAD_REF: 'h'.repeat(250), GITHUB_BASE_REF: 'b'.repeat(250) } });
    expect(result.errors).toEqual([]);
    expect(
      world.sts.calls
        .slice(since)
        .filter(c => c.action === 'AssumeRole')
        .map(c => c.code ?? 'ok')
    ).toEqual(['PackedPolicyTooLarge', 'ok']);
    expect(result.stdout).toContain('STS found the session tags too large (PackedPolicyTooLarge); dropping EventName, BaseRef, HeadRef, RunId, Job, TriggeringActor and trying once more');
    expect(Object.keys(world.sts.sessions.at(-1)!.tags)).toEqual(expect.arrayContaining(['Note', 'Other', 'Repository']));
    expect(Object.keys(world.sts.sessions.at(-1)!.tags)).not.toContain('HeadRef');
  });
});

test('special-characters-workaround: the exported secret has no special characters', async () => {
  const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'special-characters-workaround': 'true' });
  expect(result.errors).toEqual([]);
  expect(result.env.AWS_SECRET_ACCESS_KEY).toMatch(/^[A-Za-z0-9]+$/);
});

describe('use-existing-credentials', () => {
  test('keeps working credentials without assuming anything, and says so', async () => {
    const first = await world.run({ 'role-to-assume': role('gha-deploy') });
    const since = world.sts.calls.length;
    const again = await world.run({ 'role-to-assume': role('gha-deploy'), 'use-existing-credentials': 'true' }, { env: awsEnv(first) });
    expect(again.errors).toEqual([]);
    expect(world.sts.calls.slice(since).map(c => c.action)).toEqual(['GetCallerIdentity']);
    expect(again.commands.filter(c => c.name === 'notice').map(c => c.data)).toEqual([
      `use-existing-credentials: keeping the working credentials already in the environment (arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/GitHubActions)`
    ]);
  });

  test("'false' means off, and kept credentials must still be in an allowed account", async () => {
    const first = await world.run({ 'role-to-assume': role('gha-deploy') });
    const since = world.sts.calls.length;
    await world.run({ 'role-to-assume': role('gha-deploy'), 'use-existing-credentials': 'false' }, { env: awsEnv(first) });
    expect(world.sts.calls.slice(since).map(c => c.action)).toEqual(['AssumeRoleWithWebIdentity', 'GetCallerIdentity']);
    const wrongAccount = await world.run({ 'role-to-assume': role('gha-deploy'), 'use-existing-credentials': 'true', 'allowed-account-ids': '999988887777' }, { env: awsEnv(first) });
    expect(wrongAccount.errors).toEqual([expect.stringMatching(/^allowed-account-ids: the credentials belong to account/)]);
  });
});

describe('force-skip-oidc', () => {
  test('uses the keys even though the job could request an OIDC token', async () => {
    const tokens = world.oidc.requests;
    const result = await world.run({ ...KEYS, 'role-to-assume': role('ci-deploy'), 'force-skip-oidc': 'true' });
    expect(result.errors).toEqual([]);
    expect(world.oidc.requests).toBe(tokens);
  });

  test("with a role and nothing but OIDC, it uses the runner's own identity; with none, the error lists the sources tried, before any call", async () => {
    const calls = world.sts.calls.length;
    const tokens = world.oidc.requests;
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'force-skip-oidc': 'true' });
    expect(result.errors).toEqual([expect.stringMatching(/^No AWS credentials found for the runner's own identity\. Tried, in the AWS SDK's order:\n- environment variables/)]);
    expect([world.sts.calls.length, world.oidc.requests]).toEqual([calls, tokens]);
  });
});

describe('action-timeout-s', () => {
  test('a slow STS fails the step at the deadline, once, with nothing exported', async () => {
    world.sts.addFault({ kind: 'delay', action: 'AssumeRoleWithWebIdentity', times: 1, ms: 5000 });
    const clock = fakeClock();
    // STS takes its time: the run's clock passes the 1 s deadline while the call is pending.
    const slow = (rt: Runtime): Runtime => ({
      ...rt,
      connectSts(connection) {
        const sts = rt.connectSts(connection);
        return {
          ...sts,
          assumeRoleWithWebIdentity(request, token) {
            const answer = sts.assumeRoleWithWebIdentity(request, token);
            setTimeout(() => clock.advance(1500), 10);
            return answer;
          }
        };
      }
    });
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'action-timeout-s': '1' }, { clock, adapt: slow });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual(['action-timeout-s: the step did not finish within 1 seconds; nothing was exported']);
    expect([result.env, result.outputs, result.state]).toEqual([{}, {}, {}]);
    expect(result.clock.sleeps).toEqual([]);
  });

  test('a failing step fails with its own error, not the deadline', async () => {
    const result = await world.run({ ...KEYS, 'role-to-assume': role('nobody'), 'action-timeout-s': '30' }, { oidc: false });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([expect.stringMatching(/^AssumeRole for .*nobody failed: AccessDenied/)]);
    expect(result.clock.sleeps).toEqual([]);
  });
});

describe('coming from docker-based assume-role actions', () => {
  test('ROLE_ARN, ROLE_SESSION_NAME and DURATION_SECONDS work, each with a notice naming the input', async () => {
    const result = await world.run({}, { env: { ROLE_ARN: role('gha-deploy'), ROLE_SESSION_NAME: 'legacy-sync', DURATION_SECONDS: '900', ACTIONS_ALLOW_UNSECURE_COMMANDS: 'true' } });
    expect(result.errors).toEqual([]);
    expect(result.outputs['authenticated-arn']).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/legacy-sync`);
    expect(world.sts.calls.filter(c => c.action === 'AssumeRoleWithWebIdentity').at(-1)!.params.DurationSeconds).toBe('900');
    expect(result.commands.filter(c => c.name === 'notice').map(c => c.data)).toEqual([
      'Using ROLE_SESSION_NAME from the environment as the role-session-name input (an input given in with: wins)',
      'Using ROLE_ARN from the environment as role-to-assume; set the role-to-assume input instead',
      'Using DURATION_SECONDS from the environment as role-duration-seconds; set the role-duration-seconds input instead'
    ]);
    expect(result.commands.filter(c => c.name === 'warning').map(c => c.data)).toEqual([
      'ACTIONS_ALLOW_UNSECURE_COMMANDS is set, but this action never needs it: remove it, it re-enables ::set-env for every step'
    ]);
  });

  test('explicit inputs win over them', async () => {
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'role-session-name': 'explicit' }, { env: { ROLE_ARN: role('nobody'), ROLE_SESSION_NAME: 'legacy' } });
    expect(result.outputs['authenticated-arn']).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/explicit`);
  });
});

test('the user agent names the action, its version and the run, for CloudTrail', async () => {
  await world.run({ ...KEYS, 'role-to-assume': role('ci-deploy') }, { env: { GITHUB_RUN_ID: '987654321', GITHUB_RUN_ATTEMPT: '2' } });
  expect(lastAssume().userAgent).toMatch(/aws-assume-role-action\/1\.0\.0.*md\/run_id#987654321.*md\/run_attempt#2/);
});
