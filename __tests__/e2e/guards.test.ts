// The post step as the runner runs it: the built cleanup bundle blanks, through GITHUB_ENV, exactly
// what the built main step exported, so a later AWS CLI step has no credentials. The account check,
// masking, output-only runs, the post step's choices and bad inputs run in process: flows/guards.test.ts
// and flows/hostile-inputs.test.ts.
import { awsEnv, role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

test('the post step blanks exactly what the main step exported, and a later step has no credentials', async () => {
  const main = await world.step({ 'role-to-assume': role('gha-deploy') });
  expect(main.state['exported-variables']).toBe('AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY,AWS_SESSION_TOKEN,AWS_REGION,AWS_DEFAULT_REGION');
  const post = await world.post(main);
  expect(post.exitCode).toBe(0);
  expect(post.env).toEqual({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_REGION: '', AWS_DEFAULT_REGION: '' });
  const later = await world.whoami({ ...awsEnv(main), ...post.env });
  expect(later.exitCode).not.toBe(0);
});

test('the post step after a step that exported nothing writes nothing', async () => {
  const main = await world.step({ 'role-to-assume': role('gha-deploy'), 'output-env-credentials': 'false' });
  expect(main.exitCode).toBe(0);
  const post = await world.post(main);
  expect([post.exitCode, post.env, post.fileCommandErrors]).toEqual([0, {}, []]);
});
