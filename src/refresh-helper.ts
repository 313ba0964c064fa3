// The credential_process helper: each time a later step's SDK or AWS CLI needs credentials, mint a
// fresh GitHub OIDC token (or re-read the token file), re-assume the role and its chain, and print
// the credential_process JSON on stdout. Nothing is written to disk; failures go to stderr.
import { assumeRole } from './acquire.js';
import type { ActionOutput } from './export.js';
import type { Env } from './inputs.js';
import { canRequestIdToken, ID_TOKEN_TOKEN_VARIABLE, ID_TOKEN_URL_VARIABLE } from './oidc.js';
import { describeError } from './retry.js';
import { parseSpecArguments, specPlan } from './refresh-spec.js';
import { stsConnection, systemRuntime, type Runtime } from './runtime.js';
import { readProxySettings } from './proxy.js';
import type { SessionCredentials, StsSdk } from './sts.js';

const PREFIX = 'aws-assume-role refresh-credentials';

export interface HelperIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The JSON the AWS CLI and SDKs read; with Expiration they call the helper again before it passes. */
export function credentialProcessJson(credentials: SessionCredentials): string {
  return JSON.stringify({
    Version: 1,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    SessionToken: credentials.sessionToken,
    Expiration: credentials.expiration?.toISOString()
  });
}

export async function runRefresh(argv: string[], env: Env, io: HelperIo): Promise<number> {
  try {
    // A proxy URL may hold a password, so it never goes on the command line: later steps' own settings apply.
    const proxy = readProxySettings(undefined, undefined, env, (rule: string) => {
      throw new Error(`proxy settings: ${rule}`);
    });
    const plan = specPlan(parseSpecArguments(argv), proxy);
    if (plan.source.kind === 'oidc' && !canRequestIdToken(env)) {
      throw new Error(
        `${ID_TOKEN_URL_VARIABLE} and ${ID_TOKEN_TOKEN_VARIABLE} are not set in this step: the job needs permissions: id-token: write, and this profile only works inside the job that configured it`
      );
    }
    const rt = helperRuntime(env, io);
    const target = plan.target;
    if (target === undefined) throw new Error('--role is required');
    const sts = rt.connectSts(stsConnection(plan, env));
    const { credentials } = await assumeRole(plan, target, sts, rt, plan.chain);
    io.stdout(`${credentialProcessJson(credentials)}\n`);
    return 0;
  } catch (error) {
    io.stderr(`${PREFIX}: ${error instanceof Error && error.name === 'StepError' ? error.message : describeError(error)}\n`);
    return 1;
  }
}

/** A path relative to this bundle, resolved at run time (a literal `new URL` would be copied in by the bundler). */
function besideThisBundle(path: string): string {
  return new URL(path, import.meta.url).href;
}

function helperRuntime(env: Env, io: HelperIo): Runtime {
  // stdout carries only the JSON; the tool that runs the helper shows stderr only when it fails.
  const out: ActionOutput = {
    setSecret: () => undefined,
    exportVariable: () => undefined,
    setOutput: () => undefined,
    saveState: () => undefined,
    info: () => undefined,
    notice: () => undefined,
    warning: message => io.stderr(`${PREFIX}: ${message}\n`)
  };
  return {
    env,
    out,
    // The step's own SDK bundle (dist/sdk/index.js, beside this helper's folder), not a second copy.
    ...systemRuntime(env, () => import(/* webpackIgnore: true */ besideThisBundle('../sdk/index.js')) as Promise<StsSdk>),
    // The same context the main step tags with, read from the variables every step has.
    runContext: async () => ({
      repository: env.GITHUB_REPOSITORY ?? '',
      workflow: env.GITHUB_WORKFLOW ?? '',
      action: env.GITHUB_ACTION ?? '',
      actor: env.GITHUB_ACTOR ?? '',
      sha: env.GITHUB_SHA ?? '',
      ref: env.GITHUB_REF ?? '',
      eventName: env.GITHUB_EVENT_NAME ?? '',
      baseRef: env.GITHUB_BASE_REF ?? '',
      headRef: env.GITHUB_HEAD_REF ?? '',
      runId: env.GITHUB_RUN_ID ?? '',
      job: env.GITHUB_JOB ?? '',
      triggeringActor: env.GITHUB_TRIGGERING_ACTOR ?? ''
    })
  };
}
