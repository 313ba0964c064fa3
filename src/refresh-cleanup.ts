// The post step's half of refresh-credentials; only node:fs underneath, so the post bundle stays small.
import { OWNER_MARK, readSharedFile, removeSection, sectionHeader, writeSharedFile } from './shared-file.js';

/** State the post step reads to remove exactly the section this run wrote. */
export const REFRESH_STATE = 'refresh-profile';

/** The post step's half: remove the section if it is still the one this action wrote. */
export function removeRefreshProfile(state: string | undefined, info: (message: string) => void): void {
  if (!state) return;
  const { file, profile } = JSON.parse(state) as { file: string; profile: string };
  const header = sectionHeader(profile);
  const { text, removed } = removeSection(readSharedFile(file), header, OWNER_MARK);
  if (!removed) {
    info(`${header} in ${file} is no longer the one this action wrote; leaving it`);
    return;
  }
  writeSharedFile(file, text);
  info(`Removed ${header} from ${file}`);
}
