// What must never happen quietly, in process: wrong accounts, unmasked ids, anything left exported
// after a failure, and a post step that undoes more (or less) than the main step did.
import { expectNoLeaks } from '../support/leaks.ts';
import { ACCOUNT, USER, role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };

describe('the account check', () => {
  test('credentials of another account are verified, refused, and never exported', async () => {
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'allowed-account-ids': '999988887777, 444455556666' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([`allowed-account-ids: the credentials belong to account ${ACCOUNT}, which is not one of 999988887777, 444455556666; nothing was exported`]);
    expect([result.env, result.outputs, result.state]).toEqual([{}, {}, {}]);
    expect(world.sts.calls.at(-1)!.action).toBe('GetCallerIdentity');
  });

  test('the right account passes', async () => {
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'allowed-account-ids': `999988887777,${ACCOUNT}` });
    expect(result.exitCode).toBe(0);
  });
});

describe('mask-aws-account-id', () => {
  test.each([
    ['OIDC', { 'role-to-assume': role('gha-deploy') }],
    ['keys without a role', KEYS],
    ['keys with outputs only', { ...KEYS, 'role-to-assume': role('ci-deploy'), 'output-env-credentials': 'false' }]
  ])('masks the account before any line shows it (%s)', async (_label, inputs) => {
    const result = await world.run({ ...inputs, 'mask-aws-account-id': 'true' });
    expect(result.exitCode).toBe(0);
    expect(result.masks).toContain(ACCOUNT);
    expectNoLeaks(result, [ACCOUNT], { starredIsFine: true });
  });
});

describe('output-env-credentials: false', () => {
  test('exports nothing to the environment but still sets outputs; the post step has nothing to clear', async () => {
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'output-env-credentials': 'false', 'output-credentials': 'true' });
    expect(result.exitCode).toBe(0);
    expect(result.env).toEqual({});
    expect(Object.keys(result.outputs).sort()).toEqual(['authenticated-arn', 'aws-access-key-id', 'aws-account-id', 'aws-expiration', 'aws-secret-access-key', 'aws-session-token']);
    expect(result.outputs['aws-expiration']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const post = world.runPost(result);
    expect(post.env).toEqual({});
  });
});

describe('the post step', () => {
  test('blanks exactly what the main step exported', async () => {
    const main = await world.run({ 'role-to-assume': role('gha-deploy') });
    expect(main.state['exported-variables']).toBe('AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY,AWS_SESSION_TOKEN,AWS_REGION,AWS_DEFAULT_REGION');
    const post = world.runPost(main);
    expect(post.exitCode).toBe(0);
    expect(post.env).toEqual({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_REGION: '', AWS_DEFAULT_REGION: '' });
  });

  test('does nothing after a failed main step, or with AWS_SKIP_CLEANUP_STEP=true', async () => {
    const failed = await world.run({ 'role-to-assume': role('nobody'), ...KEYS }, { oidc: false });
    expect(failed.exitCode).toBe(1);
    expect(world.runPost(failed).env).toEqual({});
    const main = await world.run({ 'role-to-assume': role('gha-deploy') });
    const skipped = world.runPost(main, { AWS_SKIP_CLEANUP_STEP: 'true' });
    expect(skipped.env).toEqual({});
    expect(skipped.stdout).toContain('AWS_SKIP_CLEANUP_STEP is true');
  });

  test('state naming variables it never exports is ignored', () => {
    const main = { ...emptyStep(), state: { 'exported-variables': 'PATH,AWS_ACCESS_KEY_ID,NODE_OPTIONS' } };
    expect(world.runPost(main).env).toEqual({ AWS_ACCESS_KEY_ID: '' });
  });
});

describe('unset-current-credentials', () => {
  test('on its own it clears the credentials for later steps, without any call', async () => {
    const before = world.sts.calls.length;
    const result = await world.run({ 'unset-current-credentials': 'true', 'aws-region': '', 'sts-endpoint': '' }, { env: { AWS_ACCESS_KEY_ID: 'AKIAOLDOLDOLDOLD1234' } });
    expect(result.exitCode).toBe(0);
    expect(result.env).toEqual({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_PROFILE: '' });
    expect(world.sts.calls.length).toBe(before);
  });
});

describe('the STS endpoint', () => {
  test('AWS_ENDPOINT_URL_STS is honoured when sts-endpoint is not given', async () => {
    const since = world.sts.calls.length;
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'sts-endpoint': '' }, { env: { AWS_ENDPOINT_URL_STS: world.sts.url } });
    expect(result.exitCode).toBe(0);
    expect(world.sts.calls.length - since).toBe(2);
  });
});

function emptyStep() {
  return {
    exitCode: 0,
    signal: null,
    durationMs: 0,
    timedOut: false,
    stdout: '',
    stderr: '',
    commands: [],
    errors: [],
    masks: [],
    env: {},
    envPairs: [],
    outputs: {},
    state: {},
    paths: [],
    summary: '',
    fileCommandErrors: [],
    home: '/nonexistent',
    workspace: '/nonexistent',
    runnerTemp: '/nonexistent'
  };
}
