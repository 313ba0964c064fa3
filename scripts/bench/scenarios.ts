// What the benchmark runs: the built action (or another build of it, or the floor script) as a
// workflow step against the local stand-ins, with a check that each run did what it should.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupStep, runStep, type StepResult } from '../../__tests__/support/step-runner.ts';
import type { Endpoints } from './network.ts';
import { DEFAULT_INPUTS, MAIN, POST, REPO_ROOT, USER, role, type World } from '../../__tests__/support/world.ts';

export const FLOOR = resolve(dirname(fileURLToPath(import.meta.url)), 'floor.mjs');

/** A build of the action: its main and post entry files. */
export interface Build {
  label: string;
  main: string;
  post: string;
}

export const CURRENT: Build = { label: 'action', main: MAIN, post: POST };

/** The build committed at a git ref, unpacked into a directory of its own. */
export function buildAt(ref: string, dir: string): Build {
  return { label: `action @ ${ref}`, main: resolve(dir, 'dist', 'index.js'), post: resolve(dir, 'dist', 'cleanup', 'index.js') };
}

export type ScenarioName = 'oidc' | 'keys' | 'denied' | 'bad-input';

interface Scenario {
  inputs: Record<string, string>;
  oidc: boolean;
  /** Why the run is wrong, or undefined when it did what it should. */
  check(result: StepResult, world: World): string | undefined;
}

const KEYS = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };

function exported(result: StepResult, world: World, roleName: string): string | undefined {
  if (result.exitCode !== 0) return `exit ${result.exitCode}: ${result.errors.join('; ') || result.stderr.slice(0, 300)}`;
  const session = world.sts.sessions.find(s => s.accessKeyId === result.env['AWS_ACCESS_KEY_ID']);
  if (session === undefined) return 'AWS_ACCESS_KEY_ID is not a key STS issued';
  if (session.roleArn !== role(roleName)) return `credentials are for ${session.roleArn}`;
  if (result.env['AWS_SESSION_TOKEN'] !== session.sessionToken) return 'AWS_SESSION_TOKEN does not match';
  if (!result.outputs['authenticated-arn']?.includes(`assumed-role/${roleName}/`)) return 'no authenticated-arn output';
  return undefined;
}

function failedWith(result: StepResult, pattern: RegExp): string | undefined {
  if (result.exitCode !== 1) return `expected exit 1, got ${result.exitCode}`;
  if (Object.keys(result.env).length > 0) return 'exported variables although it failed';
  return result.errors.some(e => pattern.test(e)) || pattern.test(result.stdout) ? undefined : `no error matching ${pattern}: ${result.errors.join('; ')}`;
}

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  oidc: { inputs: { 'role-to-assume': role('gha-deploy') }, oidc: true, check: (r, w) => exported(r, w, 'gha-deploy') },
  keys: { inputs: { 'role-to-assume': role('ci-deploy'), ...KEYS }, oidc: false, check: (r, w) => exported(r, w, 'ci-deploy') },
  denied: { inputs: { 'role-to-assume': role('gha-other-repo') }, oidc: true, check: r => failedWith(r, /AccessDenied/) },
  'bad-input': { inputs: { 'role-to-assume': role('gha-deploy'), 'role-duration-seconds': 'one hour' }, oidc: true, check: r => failedWith(r, /role-duration-seconds/) }
};

export class RunFailed extends Error {}

/** Runs one entry file as a step for a scenario; throws when it did not do what the scenario expects. */
/**
 * `env` is added to the step's environment (e.g. NODE_EXTRA_CA_CERTS when the stand-ins speak TLS);
 * `endpoints` replace the stand-ins' own addresses (the benchmark's latency relays).
 */
export async function runScenario(
  world: World,
  entry: string,
  name: ScenarioName,
  timeoutMs = 30_000,
  node?: string,
  env: Record<string, string> = {},
  endpoints: Endpoints = { sts: world.sts.url, oidcRequest: world.oidc.requestUrl }
): Promise<StepResult> {
  const scenario = SCENARIOS[name];
  const idToken = scenario.oidc ? { ACTIONS_ID_TOKEN_REQUEST_URL: endpoints.oidcRequest, ACTIONS_ID_TOKEN_REQUEST_TOKEN: world.oidc.requestToken } : {};
  const result = await runStep({
    entry,
    inputs: { ...DEFAULT_INPUTS, 'aws-region': 'us-east-1', 'sts-endpoint': endpoints.sts, ...scenario.inputs },
    env: { ...env, ...idToken },
    timeoutMs,
    ...(node === undefined ? {} : { node })
  });
  cleanupStep(result);
  const problem = scenario.check(result, world);
  if (problem !== undefined) throw new RunFailed(`${entry.replace(`${REPO_ROOT}/`, '')} (${name}): ${problem}`);
  return result;
}

/** The post step with the state a main step saved; it must blank what that step exported. */
export async function runPost(entry: string, main: StepResult): Promise<StepResult> {
  const result = await runStep({ entry, state: main.state, env: main.env });
  cleanupStep(result);
  const blanked = (main.state['exported-variables'] ?? '').split(',').every(name => result.env[name] === '');
  if (result.exitCode !== 0 || !blanked) throw new RunFailed(`${entry} (post): exit ${result.exitCode}, blanked ${blanked}`);
  return result;
}

/** `node -e ''` spawned the same way: what any step pays before its first line runs. */
export async function runEmpty(): Promise<StepResult> {
  const result = await runStep({ entry: resolve(dirname(fileURLToPath(import.meta.url)), 'empty.mjs') });
  cleanupStep(result);
  return result;
}
