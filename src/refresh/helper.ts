// The credential_process helper: each time a later step's SDK or AWS CLI needs credentials, mint a
// fresh GitHub OIDC token (or re-read the token file), re-assume the role and its chain, and print
// the credential_process JSON on stdout. Nothing is written to disk; failures go to stderr.
import { homedir } from 'node:os';
import { assumeRole } from '../credentials/assume.js';
import { partitionEndpoint, type StsEndpoint } from '../endpoints.js';
import { describeError, StepError } from '../errors.js';
import { plainLine } from '../log-text.js';
import { readRunnerFacts, type RunnerFacts } from '../inputs/environment.js';
import { readProxySettings } from '../inputs/proxy-settings.js';
import { parseSpecArguments, type RefreshSpec } from '../export/refresh-spec.js';
import type { Plan, RoleTarget } from '../plan.js';
import type { ActionOutput, Runtime } from '../ports.js';
import { envRunContext, systemRuntime } from '../runtime.js';
import { stsConnection } from '../sts/connection.js';
import type { StsSdk } from '../sts/client.js';
import type { Env, ProxySettings, SessionCredentials } from '../types.js';

const PREFIX = 'aws-assume-role refresh-credentials';

type AssumePlan = Extract<Plan, { kind: 'assume' }>;

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

/** The step's own SDK bundle (dist/sdk/index.js, beside this helper's folder), not a second copy. */
const bundledSdk = (): Promise<StsSdk> => import(/* webpackIgnore: true */ besideThisBundle('../sdk/index.js')) as Promise<StsSdk>;

/** `loadSdk` is the bundle's own unless a test runs the helper from the sources. */
export async function runRefresh(argv: string[], env: Env, io: HelperIo, loadSdk: () => Promise<StsSdk> = bundledSdk): Promise<number> {
  try {
    const credentials = await specAssumer(parseSpecArguments(argv), env, io, loadSdk)();
    io.stdout(`${credentialProcessJson(credentials)}\n`);
    return 0;
  } catch (error) {
    io.stderr(`${PREFIX}: ${plainLine(error instanceof StepError ? error.message : describeError(error))}\n`);
    return 1;
  }
}

/**
 * One walk of the spec's plan per call, on the real network: the helper calls it once, the
 * credentials server each time its credentials near their end. Throws on settings it cannot use.
 */
export function specAssumer(spec: RefreshSpec, env: Env, io: HelperIo, loadSdk: () => Promise<StsSdk> = bundledSdk): () => Promise<SessionCredentials> {
  // A proxy URL may hold a password, so it never goes on the command line: later steps' own settings apply.
  const proxy = readProxySettings(undefined, undefined, env, (rule: string) => {
    throw new Error(`proxy settings: ${rule}`);
  });
  const plan = specPlan(spec, proxy, readRunnerFacts(env, { homedir: homedir(), nodeVersion: process.versions.node, platform: process.platform }));
  const rt = helperRuntime(env, io, loadSdk);
  const sts = rt.connectSts(stsConnection(plan));
  return async () => (await assumeRole(plan, plan.target!, sts, rt, plan.chain)).credentials;
}

/** The plan the helper walks: the same hops, targets and session policies as the main step's. */
export function specPlan(spec: RefreshSpec, proxy: ProxySettings, facts: RunnerFacts): AssumePlan {
  const last = spec.roles.length - 1;
  const targets: RoleTarget[] = spec.roles.map((arn, index) => ({
    role: { kind: 'arn', arn },
    sessionName: spec.sessionName,
    durationSeconds: spec.durationSeconds,
    inlineSessionPolicy: index === last ? spec.inlinePolicy : undefined,
    managedSessionPolicies: index === last ? spec.policyArns : [],
    sourceIdentity: index === 1 ? spec.sourceIdentity : undefined,
    tagging: index > 0 && spec.tagging,
    customTags: [],
    transitiveTagKeys: [],
    avoidSpecialCharacters: false
  }));
  return {
    kind: 'assume',
    source: spec.source.kind === 'oidc' ? { ...spec.source, endpoint: idTokenEndpoint(facts) } : spec.source,
    target: targets[0]!,
    chain: targets.slice(1),
    profiles: [],
    region: spec.region,
    stsEndpoint: helperEndpoint(spec),
    proxy,
    maxAttempts: spec.maxAttempts,
    allowedAccountIds: [],
    deadlineSeconds: 0,
    userAgent: facts.userAgent,
    appId: facts.appId,
    notices: [],
    warnings: [],
    sinks: {
      env: false,
      credentialOutputs: false,
      maskAccountId: false,
      summary: false,
      overwriteProfiles: false,
      clearEnvironment: false,
      sharedFiles: facts.sharedFiles,
      clearSessionToken: false,
      refreshServer: false
    }
  };
}

function idTokenEndpoint(facts: RunnerFacts): NonNullable<RunnerFacts['idToken']> {
  if (facts.idToken === undefined) {
    throw new Error(
      'ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set in this step: the job needs permissions: id-token: write, and this profile only works inside the job that configured it'
    );
  }
  return facts.idToken;
}

/** A path relative to this bundle, resolved at run time (a literal `new URL` would be copied in by the bundler). */
function besideThisBundle(path: string): string {
  return new URL(path, import.meta.url).href;
}

function helperRuntime(env: Env, io: HelperIo, loadSdk: () => Promise<StsSdk>): Runtime {
  // stdout carries only the JSON; the tool that runs the helper shows stderr only when it fails.
  const quiet = (): void => undefined;
  const out: ActionOutput = {
    setSecret: quiet,
    exportAll: quiet,
    info: quiet,
    debug: quiet,
    notice: quiet,
    setFailed: quiet,
    summary: quiet,
    flush: () => Promise.resolve(),
    // The tool that ran the helper prints its stderr into the job's log: one neutralised line each.
    warning: message => io.stderr(`${PREFIX}: ${plainLine(message)}\n`)
  };
  return {
    out,
    ...systemRuntime(loadSdk),
    // The same context the main step tags with, read from the variables every step has.
    runContext: () => Promise.resolve(envRunContext(env))
  };
}

/** The URL the main step called (FIPS or a custom one included); a spec without one gets its partition's default. */
function helperEndpoint(spec: RefreshSpec): StsEndpoint {
  if (spec.endpoint !== undefined) return { url: spec.endpoint, origin: 'sts-endpoint', fips: false, dualStack: false };
  const resolved = partitionEndpoint(spec.region, { fips: false, dualStack: false });
  return { url: 'url' in resolved ? resolved.url : `https://sts.${spec.region}.amazonaws.com`, origin: 'partition', fips: false, dualStack: false };
}
