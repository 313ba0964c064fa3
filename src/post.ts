import { EXPORTABLE_VARIABLES, EXPORTED_STATE } from './export.js';
import type { Env } from './inputs.js';
import { REFRESH_STATE, removeRefreshProfile } from './refresh-cleanup.js';

export interface PostOutput {
  exportVariable(name: string, value: string): void;
  info(message: string): void;
}

/** Blanks what the main step exported and removes the profile it wrote (its saved state says what), and nothing else. */
export function runPost(env: Env, out: PostOutput): void {
  if (env.AWS_SKIP_CLEANUP_STEP === 'true') {
    out.info('AWS_SKIP_CLEANUP_STEP is true: leaving the exported AWS variables in place');
    return;
  }
  removeRefreshProfile(env[`STATE_${REFRESH_STATE}`], message => out.info(message));
  const exported = (env[`STATE_${EXPORTED_STATE}`] ?? '').split(',').filter(name => EXPORTABLE_VARIABLES.includes(name));
  if (exported.length === 0) {
    out.info('Nothing to clean up: the main step exported no AWS variables');
    return;
  }
  for (const name of exported) out.exportVariable(name, '');
  out.info(`Cleared ${exported.join(', ')} for the steps after this one`);
}
