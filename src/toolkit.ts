// The main step's runtime: the runner's log through @actions/core, loaded on demand from a bundle of
// its own (src/core/index.ts). The only module that loads the toolkit, so the post step and the refresh helper stay small.
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deferredOutput } from './deferred-output.js';
import { commitExport } from './export/commit.js';
import type { Helper } from './export/refresh-profile.js';
import { commandData } from './log-text.js';
import type { ActionOutput, Runtime } from './ports.js';
import { envRunContext, processServerStarter, systemRuntime } from './runtime.js';
import type { Env } from './types.js';

/** The main step's runtime: @actions/core for the runner, the SDK from its own lazily loaded bundle. */
export function actionRuntime(): Runtime {
  const system = systemRuntime(() => import(/* webpackIgnore: true */ './sdk/index.js'));
  const out = deferredOutput(async () => coreOutput(await import(/* webpackIgnore: true */ './core/index.js'), system.env));
  return {
    ...system,
    out,
    // The variables @actions/github's context is made of, read as the refresh helper reads them: its
    // constructor also reads and parses the whole event payload (no size limit) and prints the path
    // when that file is missing, and importing it costs ~100 ms before the first STS call.
    runContext: () => Promise.resolve(envRunContext(system.env))
  };
}

type Core = typeof import('./core/index.js');

function coreOutput(core: Core, env: Env): ActionOutput {
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
    },
    flush: () => Promise.resolve()
  };
}

/** The credential_process helper ships next to this bundle (dist/refresh/index.js), run by the runner's own Node. */
export function refreshHelper(): Helper {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'refresh', 'index.js');
  // The server watches the runner process that started this step: when it is gone, the job is over.
  return { node: process.execPath, script, server: processServerStarter(process.execPath, script, process.ppid) };
}
