// The flow: inputs → plan → credentials → verify → export. Nothing is exported unless every step passed.
import { identifyRunner } from './credentials/ambient.js';
import { assumeRole } from './credentials/assume.js';
import { checkAllowedAccount, existingCredentialsWork, verifyCredentials } from './credentials/verify.js';
import { failureMessage, StepError } from './errors.js';
import { checkProfileTargets } from './export/profiles.js';
import { refreshWrite, type Helper } from './export/refresh-profile.js';
import type { RunningServer } from './export/refresh-server.js';
import { refreshSpec } from './export/refresh-spec.js';
import { failureSummary, successSummary, summaryFacts } from './export/summary.js';
import { exportCredentials, exportRunnerIdentity, wipeCredentials, type Verified } from './export/variables.js';
import { parseInputs, summaryOptions } from './inputs/parse.js';
import { preview } from './log-text.js';
import { maskAccount, maskCredentials } from './mask.js';
import { decidePlan, describePlan, planDecisions, roleAccounts, SOURCE_LABELS, type Plan } from './plan.js';
import type { ActionOutput, Runtime } from './ports.js';
import { stsConnection } from './sts/connection.js';
import { safeOutput } from './safe-output.js';
import type { RunnerIdentity, Sts } from './types.js';

type ActivePlan = Exclude<Plan, { kind: 'wipe' }>;

/** Runs the step; a failure is reported through `rt.out.setFailed`, never thrown. */
export async function runAction(runtime: Runtime, helper: Helper): Promise<void> {
  // Every line is neutralised here, so no call site can forget text from outside.
  const rt: Runtime = { ...runtime, out: safeOutput(runtime.out) };
  const started = rt.clock.now();
  const deadline = new AbortController();
  // The runner cancelling the step (SIGTERM, SIGINT) ends the run like the deadline: nothing exported after it.
  const cancelled = rt.cancelled ?? new AbortController().signal;
  const cancel = (): void => deadline.abort();
  cancelled.addEventListener('abort', cancel);
  try {
    const plan = decidePlan(parseInputs(rt.env, rt.system));
    announce(rt.out, plan);
    if (cancelled.aborted) throw cancellation(cancelled);
    if (plan.kind === 'wipe') {
      await rt.out.flush();
      return wipeCredentials(rt.out);
    }
    const flow = credentialsFor(plan, rt, deadline.signal, helper, started);
    await Promise.race([flow, onCancel(cancelled), ...(plan.deadlineSeconds > 0 ? [expiry(rt, plan.deadlineSeconds, deadline.signal)] : [])]);
  } catch (error) {
    const message = failureMessage(error);
    rt.out.setFailed(message);
    // The inputs may be what failed, so the summary's own two are read on their own.
    const options = summaryOptions(rt.env);
    if (options.enabled) rt.out.summary(failureSummary(message, rt.clock.now() - started, options.maskAccountId));
  } finally {
    cancelled.removeEventListener('abort', cancel);
    deadline.abort();
    await rt.out.flush();
  }
}

function cancellation(signal: AbortSignal): StepError {
  const reason = typeof signal.reason === 'string' ? ` (${signal.reason})` : '';
  return new StepError(`The step was cancelled${reason} before the export; nothing was exported`);
}

function onCancel(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(cancellation(signal)), { once: true }));
}

/** Masks what the plan holds and says what the run will do, in one line. */
function announce(out: ActionOutput, plan: Plan): void {
  maskPlanSecrets(out, plan);
  plan.notices.forEach(notice => out.notice(notice));
  plan.warnings.forEach(warning => out.warning(warning));
  // A run from the runner's own identity is described once it is known: what supplied it, and who it is.
  if (plan.kind === 'wipe' || plan.source.kind !== 'ambient') out.info(describePlan(plan));
  planDecisions(plan).forEach(line => out.debug(`Plan ${line}`));
}

async function credentialsFor(plan: ActivePlan, rt: Runtime, cancelled: AbortSignal, helper: Helper, started: number): Promise<void> {
  checkProfileTargets(plan);
  const sts = rt.connectSts({
    ...stsConnection(plan),
    onClockCorrected: offset => rt.out.info(clockSkewLine(offset)),
    // The log's writer (the toolkit, ~50 ms of CPU) loads while STS answers the first call, not in front
    // of a request (deferred-output.ts); a writer that fails to load is reported by the awaited flush.
    onWaiting: () => void rt.out.flush().catch(() => undefined)
  });
  if (await existingCredentialsWork(plan, sts, rt)) return;
  const runner = plan.source.kind === 'ambient' ? await identifyRunner(plan.source.lookup, plan, sts, rt) : undefined;
  if (runner) rt.out.info(describePlan(plan, { origin: runner.origin, arn: preview(runner.identity.arn, 200) }));
  if (plan.kind === 'verify-ambient') {
    if (runner) await reportRunner(plan, runner, rt, cancelled, started);
    return;
  }
  const results = await getVerifiedCredentials(plan, sts, rt, runner);
  // The deadline may have passed while the last call was answered: then nothing may be written.
  if (cancelled.aborted) return;
  const refresh = plan.kind === 'assume' && plan.sinks.refresh ? refreshWrite(plan, plan.sinks.refresh, helper) : undefined;
  const server = plan.kind === 'assume' && plan.sinks.refreshServer && plan.sinks.env && results[0] ? await startServer(plan, results[0], helper, rt) : undefined;
  try {
    // Every mask (the server's token included) reaches the runner before the credentials go anywhere.
    await rt.out.flush();
    // The deadline may have passed while the server started or the log flushed: then nothing is written.
    if (stopped(cancelled)) throw new StepError('The step was stopped before the export; nothing was exported');
    exportCredentials(rt.out, plan, results, refresh, server);
  } catch (error) {
    server?.stop();
    throw error;
  }
  const main = results[0];
  if (plan.sinks.summary && main) rt.out.summary(successSummary({ ...summaryFacts(plan, main.identity, main.credentials, rt.clock.now() - started), ...origin(runner) }));
}

/** Read after an await: the signal may have fired while the server started. */
function stopped(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** The local credentials server, holding the verified credentials; its token is masked before anything can print it. */
async function startServer(plan: Extract<Plan, { kind: 'assume' }>, main: Verified, helper: Helper, rt: Runtime): Promise<RunningServer> {
  const server = await helper.server.start(refreshSpec(plan), main.credentials);
  rt.out.setSecret(server.authorization);
  return server;
}

/** Only a region: the runner's identity, checked and reported; its credentials stay where later steps find them. */
async function reportRunner(plan: Extract<Plan, { kind: 'verify-ambient' }>, runner: RunnerIdentity, rt: Runtime, cancelled: AbortSignal, started: number): Promise<void> {
  checkAllowedAccount(plan, runner.identity);
  await rt.out.flush();
  if (stopped(cancelled)) return;
  exportRunnerIdentity(rt.out, plan, runner.identity);
  if (plan.sinks.summary) rt.out.summary(successSummary({ ...summaryFacts(plan, runner.identity, runner.credentials, rt.clock.now() - started), ...origin(runner) }));
}

function origin(runner: RunnerIdentity | undefined): { source?: string } {
  return runner ? { source: `${SOURCE_LABELS.ambient}: ${runner.origin}` } : {};
}

function clockSkewLine(offsetMs: number): string {
  const minutes = Math.round(Math.abs(offsetMs) / 6000) / 10;
  return `STS refused the signature for clock skew: this runner's clock is ${minutes} min ${offsetMs < 0 ? 'ahead of' : 'behind'} STS's; signing again with STS's time (kept for the rest of the step)`;
}

/** `action-timeout-s`: one deadline for the whole step, on the run's clock. */
async function expiry(rt: Runtime, seconds: number, cancelled: AbortSignal): Promise<never> {
  await rt.clock.sleep(seconds * 1000, cancelled);
  throw new StepError(`action-timeout-s: the step did not finish within ${seconds} seconds; nothing was exported`);
}

/** Each role of the plan (or the keys), assumed and verified; any failure stops the run before export. */
async function getVerifiedCredentials(plan: Exclude<ActivePlan, { kind: 'verify-ambient' }>, sts: Sts, rt: Runtime, runner?: RunnerIdentity): Promise<Verified[]> {
  if (plan.kind === 'use-keys') {
    const credentials = plan.source.credentials;
    return [{ credentials, identity: await verifyCredentials(plan, sts, rt, credentials), region: plan.region, profile: undefined }];
  }
  const targets = [
    ...(plan.target ? [{ target: plan.target, chain: plan.chain, region: plan.region, profile: undefined }] : []),
    ...plan.profiles.map(({ name, region, target }) => ({ target, chain: [], region, profile: name }))
  ];
  const results: Verified[] = [];
  for (const { target, chain, region, profile } of targets) {
    const session = await assumeRole(plan, target, sts, rt, chain, runner);
    const identity = await verifyCredentials(plan, sts, rt, session.credentials, session.assumedRoleArn);
    results.push({ credentials: session.credentials, identity, region, profile });
  }
  return results;
}

/** Secrets the plan already holds: the runner masks `secrets.*`, but these may come from anywhere. */
function maskPlanSecrets(out: ActionOutput, plan: Plan): void {
  if (plan.kind !== 'wipe' && 'credentials' in plan.source) maskCredentials(out, plan.source.credentials);
  if (plan.kind === 'assume' && plan.source.kind === 'oidc') out.setSecret(plan.source.endpoint.bearer);
  if (plan.existing?.kind === 'environment') maskCredentials(out, plan.existing.credentials);
  const lookups = plan.kind === 'wipe' ? [] : [plan.source, plan.existing].flatMap(source => (source?.kind === 'ambient' ? [source.lookup] : []));
  for (const lookup of lookups) {
    if (lookup.environment) maskCredentials(out, lookup.environment);
    if (lookup.container?.authorizationToken !== undefined) out.setSecret(lookup.container.authorizationToken);
  }
  if (plan.proxy.url !== undefined) {
    out.setSecret(plan.proxy.url);
    const password = new URL(plan.proxy.url).password;
    const decoded = decodedOrAsIs(password);
    if (decoded !== '') out.setSecret(decoded);
    if (password !== decoded) out.setSecret(password);
  }
  roleAccounts(plan).forEach(account => maskAccount(out, plan.sinks.maskAccountId, account));
}

/** A percent-encoded password as the proxy receives it; one the inputs layer let through undecodable stays as written. */
function decodedOrAsIs(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
