// One section of the shared AWS config or credentials file, written and removed without disturbing
// the rest: other sections, comments and formatting stay byte for byte. No @actions/core: the post
// step uses it.
import { randomUUID } from 'node:crypto';
import { chmodSync, closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { SharedFileError } from '../errors.js';

/** Marks a section as this action's, so the post step removes only what it wrote. */
export const OWNER_MARK = '# Written by aws-assume-role-action; its post step removes this section.';

/** `default` → `[default]`; others → `[profile name]`, the config file's form. */
export function sectionHeader(profile: string): string {
  return profile === 'default' ? '[default]' : `[profile ${profile}]`;
}

/** The credentials file names sections without a prefix. */
export function credentialsHeader(profile: string): string {
  return `[${profile}]`;
}

function headerKey(line: string): string | undefined {
  const match = /^\s*\[\s*([^\]]*?)\s*\]\s*(?:[#;].*)?$/.exec(line);
  return match ? `[${match[1]!.replace(/\s+/g, ' ')}]` : undefined;
}

interface Located {
  lines: string[];
  start: number;
  end: number;
}

/** The section's line range [start, end), or start −1 when absent. */
function locate(text: string, header: string): Located {
  const lines = text === '' ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  const start = lines.findIndex(line => headerKey(line) === header);
  if (start === -1) return { lines, start, end: -1 };
  let end = start + 1;
  while (end < lines.length && headerKey(lines[end]!) === undefined) end++;
  // Blank lines and comments just before the next section belong to the gap or to that section.
  while (end > start + 1 && /^\s*([#;].*)?$/.test(lines[end - 1]!)) end--;
  return { lines, start, end };
}

export function hasSection(text: string, header: string): boolean {
  return locate(text, header).start !== -1;
}

/** Replaces the section (header included) or appends it after a blank line. */
export function upsertSection(text: string, header: string, body: string[]): string {
  const section = [header, ...body];
  const { lines, start, end } = locate(text, header);
  const next = start === -1
    ? [...lines, ...(lines.length > 0 && lines[lines.length - 1]!.trim() !== '' ? [''] : []), ...section]
    : [...lines.slice(0, start), ...section, ...lines.slice(end)];
  return `${next.join('\n')}\n`;
}

/** Removes the section only if it still carries `mark`: a section someone else rewrote is theirs. */
export function removeSection(text: string, header: string, mark: string): { text: string; removed: boolean } {
  const { lines, start, end } = locate(text, header);
  if (start === -1 || !lines.slice(start, end).some(line => line.trim() === mark)) return { text, removed: false };
  const before = lines.slice(0, start);
  let after = lines.slice(end);
  // Drop the blank line that separated the section, so add-then-remove leaves the file as it was.
  if (after.length > 0 && after[0]!.trim() === '') after = after.slice(1);
  else if (after.length === 0) while (before.length > 0 && before[before.length - 1]!.trim() === '') before.pop();
  const rest = [...before, ...after];
  return { text: rest.length === 0 ? '' : `${rest.join('\n')}\n`, removed: true };
}


function refuseLink(path: string, what: string): boolean {
  const stats = (() => {
    try {
      return lstatSync(path);
    } catch {
      return undefined;
    }
  })();
  if (stats?.isSymbolicLink()) throw new SharedFileError(`${what} ${path} is a symbolic link; refusing to follow it`);
  return stats !== undefined;
}

/** Reads the file ('' when absent), refusing a symlinked file or directory so a link cannot redirect the write. */
export function readSharedFile(path: string): string {
  refuseLink(dirname(path), 'the AWS folder');
  if (!refuseLink(path, 'the AWS file')) return '';
  return readFileSync(path, 'utf8');
}

/**
 * Writes through a new 0600 temp file renamed over the old one: no moment with a half-written file,
 * and the rename replaces a path rather than following anything at it. A new directory is 0700.
 */
export function writeSharedFile(path: string, text: string): void {
  const dir = dirname(path);
  if (!refuseLink(dir, 'the AWS folder')) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
  refuseLink(path, 'the AWS file');
  const temp = `${path}.${randomUUID()}.tmp`;
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}
