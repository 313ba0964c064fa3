// What the refresh-credentials e2e tests share: a later step's environment after the main step, and
// the credentials server that step started (whether it is alive: src/runtime.ts `processAlive`).
import { envAfter, type StepResult } from './step-runner.ts';
import type { World } from './world.ts';

/** A later step's environment: what the main step exported, its HOME, and the job's OIDC request variables. */
export function laterStepEnv(world: World, result: StepResult): Record<string, string> {
  return { ...envAfter(result), HOME: result.home, ACTIONS_ID_TOKEN_REQUEST_URL: world.oidc.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: world.oidc.requestToken };
}

/** The pid of the credentials server the main step saved for its post step. */
export function serverPid(result: StepResult): number {
  return (JSON.parse(result.state['refresh-server']!) as { pid: number }).pid;
}
