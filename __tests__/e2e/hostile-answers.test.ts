// The built bundle, run as the runner runs it: server text cannot stop the runner's command processing,
// so every credential is still masked; and the process ends with the step, whatever is still pending.
import { outputLines, parseCommandLine } from '../support/file-commands.ts';
import { expectNoLeaks } from '../support/leaks.ts';
import { role, startWorld, type World } from '../support/world.ts';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(() => world.close());
afterEach(() => {
  world.sts.clearFaults();
  world.oidc.clearFaults();
});

const OWN_COMMANDS = new Set(['add-mask', 'debug', 'notice', 'warning', 'error']);

function forgedCommands(stdout: string): string[] {
  return outputLines(stdout).filter(line => {
    const command = parseCommandLine(line);
    return (command !== undefined && !OWN_COMMANDS.has(command.name)) || line.includes('##[') || /stop-commands/i.test(line);
  });
}

test('::stop-commands:: after a line break in an STS error message does not stop masking', async () => {
  world.sts.addFault({
    kind: 'error',
    action: 'AssumeRoleWithWebIdentity',
    times: 1,
    status: 503,
    code: 'ServiceUnavailable',
    message: 'Service busy\n::stop-commands::T0K3N\n::set-output name=aws-account-id::999999999999'
  });
  const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'output-credentials': 'true' });
  expect(result.exitCode).toBe(0);
  expect(result.errors).toEqual([]);
  expect(forgedCommands(result.stdout)).toEqual([]);
  const session = world.sts.sessions.at(-1)!;
  const token = world.oidc.issued.at(-1)!.token;
  // Registered as commands, i.e. after no stop-commands: the runner masks them in every later line.
  expect(result.masks).toEqual(expect.arrayContaining([token, session.accessKeyId, session.secretAccessKey, session.sessionToken]));
  expect(result.outputs['aws-account-id']).toBe('111122223333');
  expectNoLeaks(result, [token, session.accessKeyId, session.secretAccessKey, session.sessionToken]);
});

test('the process ends with the step: action-timeout-s fails it while STS is still dripping its answer', async () => {
  world.sts.addFault({ kind: 'drip', action: 'AssumeRoleWithWebIdentity', times: 1, intervalMs: 200 });
  const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'action-timeout-s': '1' });
  expect(result.timedOut).toBe(false);
  expect(result.exitCode).toBe(1);
  expect(result.errors).toEqual(['action-timeout-s: the step did not finish within 1 seconds; nothing was exported']);
});
