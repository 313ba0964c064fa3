// What the refresh-credentials e2e tests share: a later step's environment after the main step, and
// the credentials server that step started (whether it is alive: src/runtime.ts `processAlive`).
import { envAfter, type StepResult } from './step-runner.ts';
import type { World } from './world.ts';

/** A later `run:` step: what the steps exported through GITHUB_ENV, the job's HOME, and the id-token variables every step of the job has. */
export function laterStepEnv(world: World, ...steps: StepResult[]): Record<string, string> {
  return {
    ...envAfter(...steps),
    HOME: steps[0]!.home,
    ACTIONS_ID_TOKEN_REQUEST_URL: world.oidc.requestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: world.oidc.requestToken
  };
}

/** The pid of the credentials server the main step saved for its post step. */
export function serverPid(result: StepResult): number {
  return (JSON.parse(result.state['refresh-server']!) as { pid: number }).pid;
}
