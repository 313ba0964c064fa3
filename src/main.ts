import * as core from '@actions/core';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assumeRole, StepError } from './acquire.js';
import { armDeadline } from './deadline.js';
import { exportCredentials, maskAccount, maskCredentials, wipeCredentials, type ActionOutput, type Verified } from './export.js';
import { InputError, parseInputs, type Env } from './inputs.js';
import { decidePlan, describePlan, roleAccounts, type Plan } from './plan.js';
import { profileFiles, profileWriteProblems, type ProfileFiles } from './profiles.js';
import { describeError } from './retry.js';
import { stsConnection, systemRuntime, type Runtime } from './runtime.js';
import type { Sts } from './sts.js';
import { writeRefreshProfile, type Helper } from './refresh-profile.js';
import { failureSummary, successSummary, summaryFacts, summaryOptions, writeSummary } from './summary.js';
import { existingCredentialsWork, verifyCredentials } from './verify.js';

export async function run(): Promise<void> {
  await runAction(actionRuntime(process.env));
}

/** read inputs → decide a plan → get credentials → verify → export. Nothing is exported unless every step passed. */
export async function runAction(rt: Runtime): Promise<void> {
  const started = Date.now();
  let disarm = (): void => undefined;
  try {
    const inputs = parseInputs(rt.env);
    const plan = decidePlan(inputs, rt.env);
    disarm = armDeadline(plan.deadlineSeconds, () => timedOut(plan.deadlineSeconds));
    maskPlanSecrets(rt.out, plan);
    inputs.notices.forEach(notice => rt.out.notice(notice));
    rt.out.info(describePlan(plan));
    if (plan.kind === 'wipe') return wipeCredentials(rt.out);
    const files = checkedProfileFiles(plan, rt.env);
    const sts = rt.connectSts(stsConnection(plan, rt.env));
    if (await existingCredentialsWork(plan, sts, rt)) return;
    const results = await getVerifiedCredentials(plan, sts, rt);
    if (plan.kind === 'assume' && plan.sinks.refresh) writeRefreshProfile(rt.out, plan, plan.sinks.refresh, refreshHelper());
    exportCredentials(rt.out, plan, rt.env, files, results);
    const main = results[0];
    if (plan.sinks.summary && main) summarize(rt, successSummary(summaryFacts(plan, main.identity, main.credentials, Date.now() - started)));
  } catch (error) {
    const message = failureMessage(error);
    core.setFailed(message);
    // The inputs may be what failed, so the summary's own two are read on their own.
    const options = summaryOptions(rt.env);
    if (options.enabled) summarize(rt, failureSummary(message, Date.now() - started, options.maskAccountId));
  } finally {
    disarm();
  }
}

/** Each role of the plan (or the keys), assumed and verified; any failure stops the run before export. */
async function getVerifiedCredentials(plan: Exclude<Plan, { kind: 'wipe' }>, sts: Sts, rt: Runtime): Promise<Verified[]> {
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

function summarize(rt: Runtime, markdown: string): void {
  writeSummary(rt.env, markdown, message => rt.out.warning(message));
}

/** The credential_process helper ships next to this bundle (dist/refresh/index.js). */
function refreshHelper(): Helper {
  return { node: process.execPath, script: join(dirname(fileURLToPath(import.meta.url)), 'refresh', 'index.js') };
}

/** Secrets the plan already holds: the runner masks `secrets.*`, but these may come from anywhere. */
function maskPlanSecrets(out: ActionOutput, plan: Plan): void {
  if (plan.kind !== 'wipe' && 'credentials' in plan.source) maskCredentials(out, plan.source.credentials);
  if (plan.existing) maskCredentials(out, plan.existing);
  if (plan.proxy.url !== undefined) {
    out.setSecret(plan.proxy.url);
    const password = new URL(plan.proxy.url).password;
    if (password !== '') out.setSecret(decodeURIComponent(password));
  }
  roleAccounts(plan).forEach(account => maskAccount(out, plan, account));
}

/** Profile files are checked before any call, so an existing profile costs no STS round trip. */
function checkedProfileFiles(plan: Exclude<Plan, { kind: 'wipe' }>, env: Env): ProfileFiles {
  const files = profileFiles(env);
  const names = [...(plan.sinks.profile === undefined ? [] : [plan.sinks.profile]), ...(plan.kind === 'assume' ? plan.profiles.map(p => p.name) : [])];
  if (names.length === 0) return files;
  const problems = profileWriteProblems(files, names, plan.sinks.overwriteProfiles);
  if (problems.length > 0) throw new InputError(problems);
  return files;
}

function timedOut(seconds: number): never {
  core.setFailed(`action-timeout-s: the step did not finish within ${seconds} seconds; nothing was exported`);
  process.exit(1);
}

function failureMessage(error: unknown): string {
  if (error instanceof InputError || error instanceof StepError) return error.message;
  return `Unexpected failure: ${describeError(error)}`;
}

function actionRuntime(env: Env): Runtime {
  return {
    env,
    out: core,
    // A real import() of dist/sdk/index.js, which `npm run package` bundles on its own: see sts.ts.
    ...systemRuntime(env, () => import(/* webpackIgnore: true */ './sdk/index.js')),
    async runContext() {
      // Loaded only on the AssumeRole path: the toolkit's GitHub client is large and nothing else needs it.
      const { context } = await import('@actions/github');
      return {
        // context.repo throws without GITHUB_REPOSITORY; an empty value just leaves the tag out.
        repository: env.GITHUB_REPOSITORY ? `${context.repo.owner}/${context.repo.repo}` : '',
        workflow: context.workflow,
        action: context.action,
        actor: context.actor,
        sha: context.sha,
        ref: context.ref,
        eventName: context.eventName,
        baseRef: env.GITHUB_BASE_REF ?? '',
        headRef: env.GITHUB_HEAD_REF ?? '',
        runId: String(context.runId || ''),
        job: context.job,
        triggeringActor: env.GITHUB_TRIGGERING_ACTOR ?? ''
      };
    }
  };
}
