// refresh-credentials on the main step's side: the config-file profile whose credential_process runs
// the bundled helper, and the variables that point later steps at it instead of at static keys.
import { hasSection, OWNER_MARK, readSharedFile, sectionHeader, upsertSection, writeSharedFile } from './shared-file.js';
import { StepError } from '../errors.js';
import type { Plan, RefreshSink } from '../plan.js';
import type { ActionOutput } from '../ports.js';
import { commandLine, refreshSpec, specArguments } from './refresh-spec.js';
import { REFRESH_STATE } from './state.js';

type AssumePlan = Extract<Plan, { kind: 'assume' }>;

export interface Helper {
  /** The runner's own Node, so the helper runs whatever Node a later step has on PATH. */
  node: string;
  script: string;
}

export function profileLines(plan: AssumePlan, helper: Helper): string[] {
  return [
    OWNER_MARK,
    `credential_process = ${commandLine([helper.node, helper.script, ...specArguments(refreshSpec(plan))])}`,
    `region = ${plan.region}`
  ];
}

export function writeRefreshProfile(out: ActionOutput, plan: AssumePlan, sink: RefreshSink, helper: Helper): void {
  const header = sectionHeader(sink.profile);
  try {
    const text = readSharedFile(sink.configFile);
    if (hasSection(text, header)) out.warning(`refresh-credentials: replacing the existing ${header} section of ${sink.configFile}`);
    writeSharedFile(sink.configFile, upsertSection(text, header, profileLines(plan, helper)));
  } catch (error) {
    throw new StepError(`refresh-credentials: could not write ${header} to ${sink.configFile}: ${error instanceof Error ? error.message : String(error)}`);
  }
  out.saveState(REFRESH_STATE, JSON.stringify([{ file: sink.configFile, header }]));
  out.info(`Wrote ${header} to ${sink.configFile}: its credential_process re-assumes ${refreshSpec(plan).roles.join(' → ')} whenever a tool needs credentials`);
}
