// The main step's runtime: the runner's log, outputs and files through @actions/core, and the GitHub
// context through @actions/github. The only module that loads the toolkit, so the post step and the
// refresh helper stay small.
import * as core from '@actions/core';
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commitExport } from './export/commit.js';
import type { Helper } from './export/refresh-profile.js';
import { commandData } from './log-text.js';
import type { ActionOutput, Runtime } from './ports.js';
import { envRunContext, processServerStarter, systemRuntime } from './runtime.js';
import type { Env } from './types.js';

/** The main step's runtime: @actions/core for the runner, the SDK from its own lazily loaded bundle. */
export function actionRuntime(): Runtime {
  const system = systemRuntime(() => import(/* webpackIgnore: true */ './sdk/index.js'));
  return {
    ...system,
    out: coreOutput(system.env),
    async runContext() {
      // Loaded only on the AssumeRole path: the toolkit's GitHub client is large and nothing else needs it.
      const { context } = await import('@actions/github');
      const env = system.env;
      return {
        ...envRunContext(env),
        // context.repo throws without GITHUB_REPOSITORY; an empty value just leaves the tag out.
        repository: env.GITHUB_REPOSITORY ? `${context.repo.owner}/${context.repo.repo}` : '',
        workflow: context.workflow,
        action: context.action,
        actor: context.actor,
        sha: context.sha,
        ref: context.ref,
        eventName: context.eventName,
        runId: String(context.runId || ''),
        job: context.job
      };
    }
  };
}

function coreOutput(env: Env): ActionOutput {
  return {
    setSecret: core.setSecret,
    // Written here, not through core: one append per file, every file checked first (see commit.ts).
    exportAll: batch => commitExport({ state: env.GITHUB_STATE, env: env.GITHUB_ENV, outputs: env.GITHUB_OUTPUT }, batch),
    info: core.info,
    debug: core.debug,
    notice: message => core.notice(message),
    warning: message => core.warning(message),
    setFailed: core.setFailed,
    summary(markdown) {
      const file = env.GITHUB_STEP_SUMMARY;
      if (!file) return;
      try {
        appendFileSync(file, `${markdown}${EOL}`, { encoding: 'utf8' });
      } catch (error) {
        // The message quotes GITHUB_STEP_SUMMARY's path: neutralised like every other line.
        core.warning(commandData(`Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`));
      }
    }
  };
}

/** The credential_process helper ships next to this bundle (dist/refresh/index.js), run by the runner's own Node. */
export function refreshHelper(): Helper {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'refresh', 'index.js');
  // The server watches the runner process that started this step: when it is gone, the job is over.
  return { node: process.execPath, script, server: processServerStarter(process.execPath, script, process.ppid) };
}
