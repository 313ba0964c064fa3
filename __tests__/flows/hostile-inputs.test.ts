// The whole hostile-input corpus (support/hostile-inputs.ts), in process: each case is refused with
// one error naming the input, before any call, with nothing exported and nothing leaked.
import { ALL, REFUSED, refusal, title } from '../support/hostile-inputs.ts';
import { USER, role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

test('the corpus has at least 80 cases, each with its own title', () => {
  expect(ALL.length).toBeGreaterThanOrEqual(80);
  expect(new Set(ALL.map(title)).size).toBe(ALL.length);
});

test.each(ALL.map(c => [title(c), c] as const))('%s', async (_title, c) => {
  expect(await refusal(world, c, 'run')).toEqual(REFUSED);
});

test('a key id without its secret: the exact message, before anything is sent', async () => {
  const before = world.sts.calls.length;
  const result = await world.run({ 'role-to-assume': role('ci-deploy'), 'aws-access-key-id': USER.accessKeyId });
  expect(result.errors).toEqual(['Invalid input: aws-secret-access-key: is required when aws-access-key-id is set']);
  expect(world.sts.calls.length).toBe(before);
});
