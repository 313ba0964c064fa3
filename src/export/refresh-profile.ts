// refresh-credentials on the main step's side: the config-file profile whose credential_process runs
// the bundled helper, and the variables that point later steps at it instead of at static keys.
import type { Plan, RefreshSink } from '../plan.js';
import { commandLine, refreshSpec, specArguments } from './refresh-spec.js';
import { iniLine, OWNER_MARK, sectionHeader } from './shared-file.js';
import type { RefreshServerStarter } from './refresh-server.js';
import type { RefreshWrite } from './variables.js';

type AssumePlan = Extract<Plan, { kind: 'assume' }>;

export interface Helper {
  /** The runner's own Node, so the helper runs whatever Node a later step has on PATH. */
  node: string;
  script: string;
  /** Starts the local credentials server (refresh-credentials without aws-profile). */
  server: RefreshServerStarter;
}

export function profileLines(plan: AssumePlan, helper: Helper): string[] {
  return [OWNER_MARK, iniLine('credential_process', commandLine([helper.node, helper.script, ...specArguments(refreshSpec(plan))])), iniLine('region', plan.region)];
}

/** The profile as a section to write with the rest of the export; the overwrite check ran before any call. */
export function refreshWrite(plan: AssumePlan, sink: RefreshSink, helper: Helper): RefreshWrite {
  const header = sectionHeader(sink.profile);
  return {
    section: { file: sink.configFile, header, body: profileLines(plan, helper) },
    message: `Wrote ${header} to ${sink.configFile}: its credential_process re-assumes ${refreshSpec(plan).roles.join(' → ')} whenever a tool needs credentials`
  };
}
