// The one fault only the built step can show: STS never answering within the 10 s request timeout
// the bundle sets. The step gives up on the request and its process ends without waiting for the
// answer (nothing pending may outlive the step). Every other fault, with its calls and backoff
// schedule, runs in process: flows/faults.test.ts.
import { role, startWorld, type World } from '../support/world.ts';

// src/sts/connection.ts REQUEST_TIMEOUT_MS: the step's own per-request timeout.
const REQUEST_TIMEOUT_MS = 10_000;
// The answer would come long after the timeout; a step still waiting for it is killed first.
const ANSWER_AFTER_MS = 40_000;
const STEP_LIMIT_MS = 30_000;

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

test('STS slower than the request timeout, disable-retry: one call, given up at the timeout, the process ends', async () => {
  world.sts.addFault({ kind: 'delay', action: 'AssumeRoleWithWebIdentity', times: 1, ms: ANSWER_AFTER_MS });
  const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'disable-retry': 'true' }, { timeoutMs: STEP_LIMIT_MS });
  expect({ exitCode: result.exitCode, timedOut: result.timedOut, errors: result.errors }).toEqual({
    exitCode: 1,
    timedOut: false,
    errors: [expect.stringMatching(/^AssumeRoleWithWebIdentity for .*gha-deploy failed: TimeoutError: /)]
  });
  expect(world.sts.calls.map(c => c.action)).toEqual(['AssumeRoleWithWebIdentity']);
  expect([result.env, result.outputs, result.state]).toEqual([{}, {}, {}]);
  expect(result.durationMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
}, 40_000);
