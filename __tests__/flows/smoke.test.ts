import { ACCOUNT, role, startWorld, USER, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

test('OIDC: the role is assumed, verified and exported', async () => {
  const result = await world.run({ 'role-to-assume': role('gha-deploy') });
  expect(result.errors).toEqual([]);
  expect(result.env.AWS_ACCESS_KEY_ID).toBe(world.sts.sessions.at(-1)?.accessKeyId);
  expect(result.outputs['aws-account-id']).toBe(ACCOUNT);
});

test('throttled three times: three backoffs on the throttling scale, then success', async () => {
  world.sts.addFault({ kind: 'error', action: 'AssumeRole', times: 3, status: 400, code: 'Throttling' });
  const result = await world.run({ 'role-to-assume': role('ci-deploy'), 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey }, { oidc: false });
  expect(result.errors).toEqual([]);
  expect(result.clock.sleeps).toEqual([1000, 2000, 4000]);
});
