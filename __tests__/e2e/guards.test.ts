// What must never happen quietly: wrong accounts, unmasked ids, bad inputs reaching the network,
// and anything left exported after a failure.
import { expectNoLeaks } from '../support/leaks.ts';
import { ACCOUNT, USER, awsEnv, role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };

describe('the account check', () => {
  test('credentials of another account are verified, refused, and never exported', async () => {
    const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'allowed-account-ids': '999988887777, 444455556666' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([`allowed-account-ids: the credentials belong to account ${ACCOUNT}, which is not one of 999988887777, 444455556666; nothing was exported`]);
    expect([result.env, result.outputs, result.state]).toEqual([{}, {}, {}]);
    expect(world.sts.calls.at(-1)!.action).toBe('GetCallerIdentity');
  });

  test('the right account passes', async () => {
    const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'allowed-account-ids': `999988887777,${ACCOUNT}` });
    expect(result.exitCode).toBe(0);
  });
});

describe('mask-aws-account-id', () => {
  test.each([
    ['OIDC', { 'role-to-assume': role('gha-deploy') }],
    ['keys without a role', KEYS],
    ['keys with outputs only', { ...KEYS, 'role-to-assume': role('ci-deploy'), 'output-env-credentials': 'false' }]
  ])('masks the account before any line shows it (%s)', async (_label, inputs) => {
    const result = await world.step({ ...inputs, 'mask-aws-account-id': 'true' });
    expect(result.exitCode).toBe(0);
    expect(result.masks).toContain(ACCOUNT);
    expectNoLeaks(result, [ACCOUNT], { starredIsFine: true });
  });
});

describe('output-env-credentials: false', () => {
  test('exports nothing to the environment but still sets outputs', async () => {
    const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'output-env-credentials': 'false', 'output-credentials': 'true' });
    expect(result.exitCode).toBe(0);
    expect(result.env).toEqual({});
    expect(Object.keys(result.outputs).sort()).toEqual(['authenticated-arn', 'aws-access-key-id', 'aws-account-id', 'aws-expiration', 'aws-secret-access-key', 'aws-session-token']);
    expect(result.outputs['aws-expiration']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const post = await world.post(result);
    expect(post.env).toEqual({});
  });
});

describe('bad inputs', () => {
  test.each([
    ['aws-region', 'us east 1', 'aws-region'],
    ['role-to-assume', 'arn:aws:iam::12345:role/x', 'role-to-assume'],
    ['role-session-name', 'a', 'role-session-name'],
    ['role-session-name', 'my session', 'role-session-name'],
    ['role-duration-seconds', '0', 'role-duration-seconds'],
    ['role-duration-seconds', 'abc', 'role-duration-seconds'],
    ['role-duration-seconds', '3.5', 'role-duration-seconds'],
    ['retry-max-attempts', '0', 'retry-max-attempts'],
    ['mask-aws-account-id', 'yes', 'mask-aws-account-id'],
    ['role-chaining', 'on', 'role-chaining'],
    ['inline-session-policy', '{', 'inline-session-policy'],
    ['managed-session-policies', 'not-an-arn', 'managed-session-policies'],
    ['allowed-account-ids', 'abc', 'allowed-account-ids'],
    ['sts-endpoint', 'not a url', 'sts-endpoint']
  ])('%s = %j: exit 1, one error naming it, no call, nothing exported', async (name, value, named) => {
    const before = { sts: world.sts.calls.length, oidc: world.oidc.requests };
    const result = await world.step({ 'role-to-assume': role('gha-deploy'), [name]: value });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain(`${named}:`);
    expect([result.env, result.outputs, result.state]).toEqual([{}, {}, {}]);
    expect({ sts: world.sts.calls.length, oidc: world.oidc.requests }).toEqual(before);
  });

  test('a key id without its secret is refused before anything is sent', async () => {
    const before = world.sts.calls.length;
    const result = await world.step({ 'role-to-assume': role('ci-deploy'), 'aws-access-key-id': USER.accessKeyId });
    expect(result.errors).toEqual(['Invalid input: aws-secret-access-key: is required when aws-access-key-id is set']);
    expect(world.sts.calls.length).toBe(before);
  });
});

describe('the post step', () => {
  test('blanks exactly what the main step exported', async () => {
    const main = await world.step({ 'role-to-assume': role('gha-deploy') });
    expect(main.state['exported-variables']).toBe('AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY,AWS_SESSION_TOKEN,AWS_REGION,AWS_DEFAULT_REGION');
    const post = await world.post(main);
    expect(post.exitCode).toBe(0);
    expect(post.env).toEqual({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_REGION: '', AWS_DEFAULT_REGION: '' });
    const later = await world.whoami({ ...awsEnv(main), ...post.env });
    expect(later.exitCode).not.toBe(0);
  });

  test('does nothing after a failed main step, or with AWS_SKIP_CLEANUP_STEP=true', async () => {
    const failed = await world.step({ 'role-to-assume': role('nobody'), ...KEYS });
    expect(failed.exitCode).toBe(1);
    expect((await world.post(failed)).env).toEqual({});
    const main = await world.step({ 'role-to-assume': role('gha-deploy') });
    const skipped = await world.post(main, { AWS_SKIP_CLEANUP_STEP: 'true' });
    expect(skipped.env).toEqual({});
  });
});

describe('unset-current-credentials', () => {
  test('on its own it clears the credentials for later steps, without any call', async () => {
    const before = world.sts.calls.length;
    const result = await world.step({ 'unset-current-credentials': 'true', 'aws-region': '', 'sts-endpoint': '' }, { env: { AWS_ACCESS_KEY_ID: 'AKIAOLDOLDOLDOLD1234' } });
    expect(result.exitCode).toBe(0);
    expect(result.env).toEqual({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_PROFILE: '' });
    expect(world.sts.calls.length).toBe(before);
  });
});

describe('the STS endpoint', () => {
  test('AWS_ENDPOINT_URL_STS is honoured when sts-endpoint is not given', async () => {
    const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'sts-endpoint': '' }, { env: { AWS_ENDPOINT_URL_STS: world.sts.url } });
    expect(result.exitCode).toBe(0);
  });
});
