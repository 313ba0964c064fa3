// STS as it really misbehaves: a flaky fetch of GitHub's signing keys, and runner clocks minutes off.
import { role, startWorld, USER, type World } from '../support/world.ts';

const KEYS_UNAVAILABLE = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";
const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());
afterEach(() => world.sts.clearFaults());

const webIdentityCalls = (w: World): number => w.sts.calls.filter(c => c.action === 'AssumeRoleWithWebIdentity').length;

describe('STS could not fetch the identity provider keys', () => {
  test('is retried with a fresh token each time, with backoff, and the role is assumed', async () => {
    world.sts.addFault({ kind: 'error', action: 'AssumeRoleWithWebIdentity', times: 2, status: 400, code: 'InvalidIdentityToken', message: KEYS_UNAVAILABLE });
    const tokensBefore = world.oidc.issued.length;
    const callsBefore = webIdentityCalls(world);
    const result = await world.run({ 'role-to-assume': role('gha-deploy') });
    expect(result.errors).toEqual([]);
    expect(webIdentityCalls(world) - callsBefore).toBe(3);
    expect(world.oidc.issued.length - tokensBefore).toBe(3);
    expect(result.clock.sleeps).toEqual([50, 100]);
    expect(result.env.AWS_ACCESS_KEY_ID).toBe(world.sts.sessions.at(-1)?.accessKeyId);
  });

  test('stops at the attempt budget and says the failure is on AWS side, without a trust-policy diagnosis', async () => {
    world.sts.addFault({ kind: 'error', action: 'AssumeRoleWithWebIdentity', times: 10, status: 400, code: 'InvalidIdentityToken', message: KEYS_UNAVAILABLE });
    const callsBefore = webIdentityCalls(world);
    const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'retry-max-attempts': '3' });
    expect(webIdentityCalls(world) - callsBefore).toBe(3);
    expect(result.clock.sleeps).toHaveLength(2);
    expect(result.errors.join('\n')).toMatch(/could not fetch the identity provider's signing keys, on every attempt/);
    expect(result.errors.join('\n')).not.toMatch(/trust policy/i);
    expect(result.env.AWS_ACCESS_KEY_ID).toBeUndefined();
  });

  test('any other InvalidIdentityToken fails at once, with the diagnosis', async () => {
    world.sts.addFault({ kind: 'error', action: 'AssumeRoleWithWebIdentity', times: 1, status: 400, code: 'InvalidIdentityToken', message: 'Incorrect token audience' });
    const callsBefore = webIdentityCalls(world);
    const result = await world.run({ 'role-to-assume': role('gha-deploy') });
    expect(webIdentityCalls(world) - callsBefore).toBe(1);
    expect(result.clock.sleeps).toEqual([]);
    expect(result.errors.join('\n')).toMatch(/Incorrect token audience[\s\S]*A trust policy that admits exactly this workflow/);
  });
});

describe.each([
  ['20 minutes ahead (Signature not yet current)', -1200],
  ['20 minutes behind (Signature expired)', 1200]
])('a runner clock %s', (_label, offsetSeconds) => {
  let skewed: World;
  beforeAll(async () => {
    skewed = await startWorld({ sts: { clockOffsetSeconds: offsetSeconds } });
  });
  afterAll(() => skewed.close());

  test('is corrected from STS answer: one refused signature, signed again once, the offset kept for later calls', async () => {
    const result = await skewed.run({ 'role-to-assume': role('ci-deploy'), ...KEYS }, { oidc: false });
    expect(result.errors).toEqual([]);
    const refused = skewed.sts.calls.filter(c => c.code === 'SignatureDoesNotMatch');
    expect(refused).toHaveLength(1);
    // AssumeRole refused then signed again; GetCallerIdentity right the first time.
    expect(skewed.sts.calls.map(c => `${c.action} ${c.status}`)).toEqual(['AssumeRole 403', 'AssumeRole 200', 'GetCallerIdentity 200']);
    expect(result.clock.sleeps).toEqual([]);
    expect(result.env.AWS_ACCESS_KEY_ID).toBe(skewed.sts.sessions.at(-1)?.accessKeyId);
    expect(result.stdout).toMatch(new RegExp(`this runner's clock is 20 min ${offsetSeconds < 0 ? 'ahead of' : 'behind'} STS's; signing again`));
  });
});
