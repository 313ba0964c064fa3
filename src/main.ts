// The flow: inputs → plan → credentials → verify → export. Nothing is exported unless every step passed.
import { assumeRole } from './credentials/assume.js';
import { existingCredentialsWork, verifyCredentials } from './credentials/verify.js';
import { failureMessage, StepError } from './errors.js';
import { checkProfileTargets } from './export/profiles.js';
import { writeRefreshProfile, type Helper } from './export/refresh-profile.js';
import { failureSummary, successSummary, summaryFacts } from './export/summary.js';
import { exportCredentials, wipeCredentials, type Verified } from './export/variables.js';
import { parseInputs, summaryOptions } from './inputs/parse.js';
import { maskAccount, maskCredentials } from './mask.js';
import { decidePlan, describePlan, roleAccounts, type Plan } from './plan.js';
import type { ActionOutput, Runtime } from './ports.js';
import { stsConnection } from './sts/connection.js';
import type { Sts } from './types.js';

type ActivePlan = Exclude<Plan, { kind: 'wipe' }>;

/** Runs the step; a failure is reported through `rt.out.setFailed`, never thrown. */
export async function runAction(rt: Runtime, helper: Helper): Promise<void> {
  const started = rt.clock.now();
  const deadline = new AbortController();
  try {
    const plan = decidePlan(parseInputs(rt.env, rt.system));
    announce(rt.out, plan);
    if (plan.kind === 'wipe') return wipeCredentials(rt.out);
    const flow = credentialsFor(plan, rt, deadline.signal, helper, started);
    await (plan.deadlineSeconds > 0 ? Promise.race([flow, expiry(rt, plan.deadlineSeconds, deadline.signal)]) : flow);
  } catch (error) {
    const message = failureMessage(error);
    rt.out.setFailed(message);
    // The inputs may be what failed, so the summary's own two are read on their own.
    const options = summaryOptions(rt.env);
    if (options.enabled) rt.out.summary(failureSummary(message, rt.clock.now() - started, options.maskAccountId));
  } finally {
    deadline.abort();
  }
}

/** Masks what the plan holds and says what the run will do, in one line. */
function announce(out: ActionOutput, plan: Plan): void {
  maskPlanSecrets(out, plan);
  plan.notices.forEach(notice => out.notice(notice));
  plan.warnings.forEach(warning => out.warning(warning));
  out.info(describePlan(plan));
}

async function credentialsFor(plan: ActivePlan, rt: Runtime, cancelled: AbortSignal, helper: Helper, started: number): Promise<void> {
  checkProfileTargets(plan);
  const sts = rt.connectSts({ ...stsConnection(plan), onClockCorrected: offset => rt.out.info(clockSkewLine(offset)) });
  if (await existingCredentialsWork(plan, sts, rt)) return;
  const results = await getVerifiedCredentials(plan, sts, rt);
  // The deadline may have passed while the last call was answered: then nothing may be written.
  if (cancelled.aborted) return;
  if (plan.kind === 'assume' && plan.sinks.refresh) writeRefreshProfile(rt.out, plan, plan.sinks.refresh, helper);
  exportCredentials(rt.out, plan, results);
  const main = results[0];
  if (plan.sinks.summary && main) rt.out.summary(successSummary(summaryFacts(plan, main.identity, main.credentials, rt.clock.now() - started)));
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
async function getVerifiedCredentials(plan: ActivePlan, sts: Sts, rt: Runtime): Promise<Verified[]> {
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
    const session = await assumeRole(plan, target, sts, rt, chain);
    const identity = await verifyCredentials(plan, sts, rt, session.credentials, session.assumedRoleArn);
    results.push({ credentials: session.credentials, identity, region, profile });
  }
  return results;
}

/** Secrets the plan already holds: the runner masks `secrets.*`, but these may come from anywhere. */
function maskPlanSecrets(out: ActionOutput, plan: Plan): void {
  if (plan.kind !== 'wipe' && 'credentials' in plan.source) maskCredentials(out, plan.source.credentials);
  if (plan.kind === 'assume' && plan.source.kind === 'oidc') out.setSecret(plan.source.endpoint.bearer);
  if (plan.existing) maskCredentials(out, plan.existing);
  if (plan.proxy.url !== undefined) {
    out.setSecret(plan.proxy.url);
    const password = new URL(plan.proxy.url).password;
    if (password !== '') out.setSecret(decodeURIComponent(password));
  }
  roleAccounts(plan).forEach(account => maskAccount(out, plan.sinks.maskAccountId, account));
}
