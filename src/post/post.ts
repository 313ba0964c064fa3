// The post step: undoes what the main step recorded in its state, and nothing else.
import { removeSections, type WrittenSection } from '../export/profiles.js';
import { EXPORTABLE_VARIABLES, EXPORTED_STATE, PROFILES_STATE, REFRESH_STATE } from '../export/state.js';
import type { Env } from '../types.js';

export interface PostOutput {
  exportVariable(name: string, value: string): void;
  info(message: string): void;
}

/** Undoes what the main step did (its saved state says what: variables, profiles), and nothing else. */
export function runPost(env: Env, out: PostOutput): void {
  if (env.AWS_SKIP_CLEANUP_STEP === 'true') {
    out.info('AWS_SKIP_CLEANUP_STEP is true: leaving the exported AWS variables and profiles in place');
    return;
  }
  const exported = (env[`STATE_${EXPORTED_STATE}`] ?? '').split(',').filter(name => EXPORTABLE_VARIABLES.includes(name));
  const sections = [...writtenSections(env[`STATE_${PROFILES_STATE}`]), ...writtenSections(env[`STATE_${REFRESH_STATE}`])];
  if (exported.length === 0 && sections.length === 0) {
    out.info('Nothing to clean up: the main step exported no AWS variables and wrote no profiles');
    return;
  }
  for (const name of exported) out.exportVariable(name, '');
  if (exported.length > 0) out.info(`Cleared ${exported.join(', ')} for the steps after this one`);
  if (sections.length > 0) {
    const removed = removeSections(sections);
    const kept = sections.filter(s => !removed.some(r => r.file === s.file && r.header === s.header));
    if (removed.length > 0) out.info(`Removed ${removed.map(s => `${s.header} from ${s.file}`).join(', ')}`);
    if (kept.length > 0) out.info(`Left ${kept.map(s => `${s.header} in ${s.file}`).join(', ')}: no longer the section this action wrote`);
  }
}

function writtenSections(state: string | undefined): WrittenSection[] {
  if (!state) return [];
  try {
    const parsed: unknown = JSON.parse(state);
    return Array.isArray(parsed) ? parsed.filter((s): s is WrittenSection => typeof s?.file === 'string' && typeof s?.header === 'string') : [];
  } catch {
    return [];
  }
}
