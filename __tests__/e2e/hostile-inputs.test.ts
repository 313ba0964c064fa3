// The hostile inputs only a real process can judge, run through the BUILT action as a workflow step:
// injections aimed at the runner's file commands and log (env-file lines, heredoc and delimiter
// tricks, workflow commands), a 100 KB value through the process environment, and a token file a
// read would hang on. The whole corpus runs in process: flows/hostile-inputs.test.ts.
import { ALL, REFUSED, refusal, title } from '../support/hostile-inputs.ts';
import { startWorld, type World } from '../support/world.ts';

const PROCESS_CASES: Record<string, string[]> = {
  'session names': ['env-file injection', 'heredoc injection', 'delimiter injection', 'workflow commands', '100 KB'],
  regions: ['env-file injection'],
  'token file paths': ['named pipe (a read would block)']
};
const CHOSEN = ALL.filter(c => PROCESS_CASES[c.group]?.includes(c.label));

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

test('every chosen case is in the corpus', () => {
  expect(CHOSEN).toHaveLength(Object.values(PROCESS_CASES).flat().length);
});

test.each(CHOSEN.map(c => [title(c), c] as const))('%s', async (_title, c) => {
  expect(await refusal(world, c, 'step')).toEqual(REFUSED);
});
