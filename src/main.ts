import * as core from './workflow-commands.js';
import { assumeRole, StepError } from './acquire.js';
import { exportCredentials, maskAccount, maskCredentials, wipeCredentials, type ActionOutput } from './export.js';
import { githubContext } from './github-context.js';
import { InputError, parseInputs, type Env } from './inputs.js';
import { ID_TOKEN_TOKEN_VARIABLE, ID_TOKEN_URL_VARIABLE, requestIdToken } from './oidc.js';
import { decidePlan, describePlan, roleAccount, type Plan } from './plan.js';
import { describeError } from './retry.js';
import type { Runtime } from './runtime.js';
import { connectSts, type Sts } from './sts.js';
import { readTokenFile } from './token-file.js';
import { userAgent } from './user-agent.js';
import { verifyCredentials } from './verify.js';

const REQUEST_TIMEOUT_MS = 10_000;

export async function run(): Promise<void> {
  await runAction(actionRuntime(process.env));
}

/** read inputs → decide a plan → get credentials → verify → export. Nothing is exported unless every step passed. */
export async function runAction(rt: Runtime): Promise<void> {
  try {
    const plan = decidePlan(parseInputs(rt.env), rt.env);
    maskSourceCredentials(rt.out, plan);
    maskAccount(rt.out, plan, plan.kind === 'assume' ? roleAccount(plan.target.role) : undefined);
    rt.out.info(describePlan(plan));
    if (plan.kind === 'wipe') return wipeCredentials(rt.out);
    const sts = rt.connectSts({ region: plan.region, endpoint: plan.stsEndpoint, userAgent: userAgent(rt.env), requestTimeoutMs: REQUEST_TIMEOUT_MS });
    const { credentials, assumedRoleArn } = await getCredentials(plan, sts, rt);
    const identity = await verifyCredentials(plan, sts, rt, credentials, assumedRoleArn);
    exportCredentials(rt.out, plan, rt.env, credentials, identity);
  } catch (error) {
    core.setFailed(failureMessage(error));
  }
}

async function getCredentials(plan: Exclude<Plan, { kind: 'wipe' }>, sts: Sts, rt: Runtime) {
  if (plan.kind === 'use-keys') return { credentials: plan.source.credentials, assumedRoleArn: undefined };
  return assumeRole(plan, sts, rt);
}

/** The runner masks `secrets.*` already; source credentials may come from elsewhere (outputs, plain env). */
function maskSourceCredentials(out: ActionOutput, plan: Plan): void {
  if (plan.kind !== 'wipe' && 'credentials' in plan.source) maskCredentials(out, plan.source.credentials);
}

function failureMessage(error: unknown): string {
  if (error instanceof InputError || error instanceof StepError) return error.message;
  return `Unexpected failure: ${describeError(error)}`;
}

function actionRuntime(env: Env): Runtime {
  return {
    env,
    out: core,
    pause: { sleep: ms => new Promise(resolve => setTimeout(resolve, ms)), random: Math.random },
    connectSts,
    requestIdToken: audience =>
      requestIdToken({
        url: env[ID_TOKEN_URL_VARIABLE] ?? '',
        bearer: env[ID_TOKEN_TOKEN_VARIABLE] ?? '',
        audience,
        timeoutMs: REQUEST_TIMEOUT_MS
      }),
    readTokenFile,
    async runContext() {
      const context = githubContext(env);
      return {
        // context.repo throws without GITHUB_REPOSITORY; an empty value just leaves the tag out.
        repository: env.GITHUB_REPOSITORY ? `${context.repo.owner}/${context.repo.repo}` : '',
        workflow: context.workflow,
        action: context.action,
        actor: context.actor,
        sha: context.sha,
        ref: context.ref
      };
    }
  };
}
