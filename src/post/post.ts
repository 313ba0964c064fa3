// The post step: undoes what the main step recorded in its state, and nothing else.
import { isBackupOf, removeSections, type WrittenSection } from '../export/profiles.js';
import { EXPORTED_STATE, POST_VARIABLES, PROFILES_STATE, REFRESH_STATE } from '../export/state.js';
import { sharedFiles } from '../inputs/environment.js';
import { preview } from '../log-text.js';
import type { Env } from '../types.js';

export interface PostOutput {
  /** All the blanked variables in one write. */
  exportVariables(values: Record<string, string>): void;
  info(message: string): void;
}

/** Undoes what the main step did (its saved state says what: variables, profiles), and nothing else. */
export function runPost(env: Env, out: PostOutput, homedir: string): void {
  if (env.AWS_SKIP_CLEANUP_STEP === 'true') {
    out.info('AWS_SKIP_CLEANUP_STEP is true: leaving the exported AWS variables and profiles in place');
    return;
  }
  const exported = (env[`STATE_${EXPORTED_STATE}`] ?? '').split(',').filter(name => POST_VARIABLES.includes(name));
  const recorded = [...writtenSections(env[`STATE_${PROFILES_STATE}`]), ...writtenSections(env[`STATE_${REFRESH_STATE}`])];
  const sections = recorded.filter(section => couldHaveWritten(section, env, homedir));
  const ignored = recorded.filter(section => !sections.includes(section));
  if (ignored.length > 0) out.info(`Ignored ${ignored.map(s => preview(`${s.header} in ${s.file}`)).join(', ')}: not a file or section this action writes`);
  if (exported.length === 0 && sections.length === 0) {
    out.info('Nothing to clean up: the main step exported no AWS variables and wrote no profiles');
    return;
  }
  if (exported.length > 0) {
    out.exportVariables(Object.fromEntries(exported.map(name => [name, ''])));
    out.info(`Cleared ${exported.join(', ')} for the steps after this one`);
  }
  if (sections.length > 0) {
    const removed = removeSections(sections);
    const kept = sections.filter(s => !removed.includes(s));
    if (removed.length > 0) out.info(`Removed (or put back what was there before) ${removed.map(s => `${s.header} in ${s.file}`).join(', ')}`);
    if (kept.length > 0) out.info(`Left ${kept.map(s => `${s.header} in ${s.file}`).join(', ')}: no longer the section this action wrote`);
  }
}

/**
 * State is not trusted blindly: only the shared files this environment names (HOME or the AWS_*
 * variables), a header this action writes, and a backup name it makes beside that file.
 */
function couldHaveWritten(section: WrittenSection, env: Env, homedir: string): boolean {
  const files = sharedFiles(env, homedir, process.platform);
  const header = /^\[(profile )?[^\]\s][^\]]*\]$/.test(section.header) && !/[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(section.header);
  const backup = section.backup === undefined || isBackupOf(section.file, section.backup);
  return (section.file === files.credentials || section.file === files.config) && header && backup;
}

function writtenSections(state: string | undefined): WrittenSection[] {
  if (!state) return [];
  try {
    const parsed: unknown = JSON.parse(state);
    return Array.isArray(parsed)
      ? parsed.filter((s: unknown): s is WrittenSection => {
          const section = (s ?? {}) as Partial<Record<keyof WrittenSection, unknown>>;
          return typeof section.file === 'string' && typeof section.header === 'string' && (section.backup === undefined || typeof section.backup === 'string');
        })
      : [];
  } catch {
    return [];
  }
}
