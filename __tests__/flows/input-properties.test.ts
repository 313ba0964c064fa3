// Property, through the Runtime: for generated session names and regions, the action either fails
// with exactly one error before any network call, or gets past input validation; and which of the
// two happens is exactly what the input parser (src/inputs/, src/plan.ts) decides. The generators
// lean on hostile text.
import fc from 'fast-check';
import { InputError } from '../../src/errors.js';
import { inputVariable } from '../../src/inputs/names.js';
import { parseInputs } from '../../src/inputs/parse.js';
import { decidePlan } from '../../src/plan.js';
import { DEFAULT_INPUTS, role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());

const PIECES = ['\n', '\r', ' ', '=', '<<', 'EOF', 'ghadelimiter_', 'AWS_ACCESS_KEY_ID=evil', '::error::', '\u200B', '\u202E', 'а', '-', '_', '.', '@', 'us', 'east', '1'];
// A NUL cannot be passed in an environment variable (the runner cannot either).
const text = fc
  .oneof(
    fc.string({ maxLength: 70 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.string({ unit: fc.constantFrom(...PIECES), maxLength: 10 }),
    fc.stringMatching(/^[\w+=,.@-]{1,66}$/),
    fc.stringMatching(/^[a-z]{2}(-[a-z]{1,6}){1,2}-\d{1,3}$/),
    fc.constantFrom('us-east-1', 'GitHubActions', ' us-east-1 ', '')
  )
  .filter(s => !s.includes('\0'));

/** The oracle: what the parser says about the environment the step gets. */
function inputsAreValid(inputs: Record<string, string>): boolean {
  const env: Record<string, string> = {
    GITHUB_WORKSPACE: '/work',
    ACTIONS_ID_TOKEN_REQUEST_URL: world.oidc.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: world.oidc.requestToken
  };
  for (const [name, value] of Object.entries(inputs)) env[inputVariable(name)] = value;
  try {
    decidePlan(parseInputs(env));
    return true;
  } catch (error) {
    if (error instanceof InputError) return false;
    throw error;
  }
}

test('random session names and regions: one input error and no call, or past validation — as the parser decides', async () => {
  const seen = { refused: 0, passed: 0 };
  await fc.assert(
    fc.asyncProperty(fc.record({ 'role-session-name': text, 'aws-region': text }, { requiredKeys: [] }), async generated => {
      const inputs = { 'role-to-assume': role('gha-deploy'), 'sts-endpoint': world.sts.url, ...generated };
      const valid = inputsAreValid({ ...DEFAULT_INPUTS, 'aws-region': 'us-east-1', ...inputs }); // as world.step fills them
      const before = { sts: world.sts.calls.length, oidc: world.oidc.requests };
      const result = await world.run(inputs);
      const calls = { sts: world.sts.calls.length - before.sts, oidc: world.oidc.requests - before.oidc };

      expect(result.timedOut).toBe(false);
      expect(result.exitCode === 0 || result.exitCode === 1).toBe(true);
      expect(result.errors).toHaveLength(result.exitCode === 1 ? 1 : 0);
      expect(result.errors.join('')).not.toContain('Unexpected failure');
      expect(result.commands.map(c => c.name).filter(n => !['add-mask', 'error', 'debug'].includes(n))).toEqual([]);
      if (valid) {
        seen.passed++;
        expect(result.errors[0] ?? '').not.toMatch(/^(Invalid input: |\d+ invalid inputs:)/);
        expect(result.stdout).toContain('Plan: GitHub OIDC token');
        expect(calls.oidc).toBeGreaterThan(0);
      } else {
        seen.refused++;
        expect(result.errors[0]).toMatch(/^(Invalid input: (role-session-name|aws-region): |2 invalid inputs:\n- )/);
        expect(calls).toEqual({ sts: 0, oidc: 0 });
        expect([result.env, result.outputs, result.state]).toEqual([{}, {}, {}]);
      }
      if (result.exitCode === 0) expect(result.env.AWS_REGION).toBe((generated['aws-region'] ?? 'us-east-1').trim() || 'us-east-1');
    }),
    // The two examples make sure both outcomes are exercised on every run.
    { numRuns: 50, examples: [[{}], [{ 'role-session-name': 'x\nAWS_ACCESS_KEY_ID=evil' }]] }
  );
  expect(seen.refused).toBeGreaterThan(0);
  expect(seen.passed).toBeGreaterThan(0);
});
