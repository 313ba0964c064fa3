// One connection per host, opened as early as the run knows it needs it: on a real network each new
// connection costs TCP (and TLS) round trips, so the STS connection is opened while the SDK loads and
// the OIDC token is answered, and GetCallerIdentity reuses it.
import { role, startWorld, USER, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };

test('stored keys: AssumeRole and GetCallerIdentity go over one STS connection', async () => {
  const before = world.sts.counts.connections;
  const calls = world.sts.calls.length;
  const result = await world.run({ 'role-to-assume': role('ci-deploy'), ...KEYS }, { oidc: false });
  expect(result.errors).toEqual([]);
  expect(world.sts.calls.slice(calls).map(c => c.action)).toEqual(['AssumeRole', 'GetCallerIdentity']);
  expect(world.sts.counts.connections - before).toBe(1);
});

test('OIDC: the STS connection is opened while the token is still being answered, and is the only one', async () => {
  world.oidc.addFault({ kind: 'delay', ms: 300, times: 1 });
  const before = world.sts.counts.connections;
  const oidcBefore = world.oidc.counts.connections;
  const result = await world.run({ 'role-to-assume': role('gha-deploy') });
  expect(result.errors).toEqual([]);
  const tokenIssuedAt = world.oidc.issued.at(-1)?.at ?? Number.NaN;
  const stsConnectedAt = world.sts.connectedAt[before] ?? Number.NaN;
  expect(stsConnectedAt).toBeLessThan(tokenIssuedAt);
  expect(world.sts.counts.connections - before).toBe(1);
  expect(world.oidc.counts.connections - oidcBefore).toBe(1);
});

test('a run that fails on its inputs opens no connection at all', async () => {
  const [sts, oidc] = [world.sts.counts.connections, world.oidc.counts.connections];
  const result = await world.run({ 'role-to-assume': role('gha-deploy'), 'role-duration-seconds': 'one hour' });
  expect(result.errors.join('\n')).toMatch(/role-duration-seconds/);
  expect([world.sts.counts.connections - sts, world.oidc.counts.connections - oidc]).toEqual([0, 0]);
});
