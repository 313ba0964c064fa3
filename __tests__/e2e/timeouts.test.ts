// Deadlines only the built step can show: STS never answering within the 10 s request timeout the
// bundle sets, and action-timeout-s on the real clock. The step gives up on the request and its process ends without waiting for the
// answer (nothing pending may outlive the step). Every other fault, with its calls and backoff
// schedule, runs in process: flows/faults.test.ts.
import { USER, role, startWorld, type World } from '../support/world.ts';

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
  const since = world.sts.calls.length;
  world.sts.addFault({ kind: 'delay', action: 'AssumeRoleWithWebIdentity', times: 1, ms: ANSWER_AFTER_MS });
  const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'disable-retry': 'true' }, { timeoutMs: STEP_LIMIT_MS });
  expect({ exitCode: result.exitCode, timedOut: result.timedOut, errors: result.errors }).toEqual({
    exitCode: 1,
    timedOut: false,
    errors: [expect.stringMatching(/^AssumeRoleWithWebIdentity for .*gha-deploy failed: TimeoutError: /)]
  });
  expect(world.sts.calls.slice(since).map(c => c.action)).toEqual(['AssumeRoleWithWebIdentity']);
  expect([result.env, result.outputs, result.state]).toEqual([{}, {}, {}]);
  expect(result.durationMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
}, 40_000);

describe('action-timeout-s in a real process', () => {
  afterEach(() => world.sts.clearFaults());

  test('a slow STS fails the step at the deadline, with nothing exported', async () => {
    world.sts.addFault({ kind: 'delay', action: 'AssumeRoleWithWebIdentity', times: 1, ms: ANSWER_AFTER_MS });
    const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'action-timeout-s': '1' }, { timeoutMs: STEP_LIMIT_MS });
    expect({ exitCode: result.exitCode, timedOut: result.timedOut, errors: result.errors }).toEqual({
      exitCode: 1,
      timedOut: false,
      errors: ['action-timeout-s: the step did not finish within 1 seconds; nothing was exported']
    });
    expect(result.env).toEqual({});
  });

  test('a failing step ends at once: its pending deadline does not keep the process alive', async () => {
    const result = await world.step(
      { 'role-to-assume': role('nobody'), 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey, 'action-timeout-s': '60' },
      { timeoutMs: STEP_LIMIT_MS }
    );
    expect({ exitCode: result.exitCode, timedOut: result.timedOut }).toEqual({ exitCode: 1, timedOut: false });
    expect(result.errors).toHaveLength(1);
  });
});
