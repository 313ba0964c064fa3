// One section of the shared AWS config or credentials file, written and removed without disturbing
// the rest: other sections, comments and formatting stay byte for byte. No @actions/core: the post
// step uses it.
import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats
} from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { SharedFileError } from '../errors.js';

/** Marks a section as this action's, so the post step removes only what it wrote. */
export const OWNER_MARK = '# Written by aws-assume-role-action; its post step removes this section.';

/** Larger than any real profile file; a bound so a huge or endless file (a device, a FIFO) cannot stall the step. */
export const MAX_SHARED_FILE_BYTES = 1024 * 1024;

/** `default` → `[default]`; others → `[profile name]`, the config file's form. */
export function sectionHeader(profile: string): string {
  return profile === 'default' ? '[default]' : `[profile ${encodeName(profile)}]`;
}

/** The credentials file names sections without a prefix. */
export function credentialsHeader(profile: string): string {
  return `[${encodeName(profile)}]`;
}

// Anything that ends a line for some reader (the CLI's Python, the SDKs' parsers, editors) or hides text.
const LINE_BREAKING = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/;

function encodeName(profile: string): string {
  if (profile === '' || LINE_BREAKING.test(profile) || /[[\]]/.test(profile) || profile.trim() !== profile) {
    throw new SharedFileError(`a profile name must be one line without brackets or surrounding spaces; refusing ${JSON.stringify(profile).slice(0, 80)}`);
  }
  return profile;
}

/**
 * The one way a `key = value` line is made: a value that could end the line (CR, LF, NUL, any control
 * or Unicode line separator) would start a new key or a new section in the file, so it is refused.
 */
export function iniLine(key: string, value: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(key)) throw new SharedFileError(`'${key}' is not a profile key this action writes`);
  if (LINE_BREAKING.test(value)) throw new SharedFileError(`the value of ${key} contains a line break or control character; refusing to write it`);
  if (value.trim() !== value || value === '') throw new SharedFileError(`the value of ${key} is empty or has surrounding spaces; refusing to write it`);
  return `${key} = ${value}`;
}

/** `[ name ]` with an optional trailing comment → `[name]` (inner spaces collapsed); linear in the line. */
function headerKey(line: string): string | undefined {
  const text = line.trim();
  if (!text.startsWith('[')) return undefined;
  const close = text.indexOf(']');
  if (close === -1) return undefined;
  const rest = text.slice(close + 1).trimStart();
  if (rest !== '' && rest[0] !== '#' && rest[0] !== ';') return undefined;
  const name = text.slice(1, close).trim().split(/\s+/).join(' ');
  return `[${name}]`;
}

function isBlankOrComment(line: string): boolean {
  const text = line.trim();
  return text === '' || text[0] === '#' || text[0] === ';';
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
  while (end > start + 1 && isBlankOrComment(lines[end - 1]!)) end--;
  return { lines, start, end };
}

export function hasSection(text: string, header: string): boolean {
  return locate(text, header).start !== -1;
}

/** The section's lines (header included) as they are, or undefined when absent. */
export function sectionText(text: string, header: string): string[] | undefined {
  const { lines, start, end } = locate(text, header);
  return start === -1 ? undefined : lines.slice(start, end);
}

/** Replaces the section (header included) or appends it after a blank line. */
export function upsertSection(text: string, header: string, body: string[]): string {
  return replaceSection(text, header, [header, ...body]);
}

/** The section (found by `header`) replaced by `section`, lines as given; appended when absent. */
function replaceSection(text: string, header: string, section: string[]): string {
  const { lines, start, end } = locate(text, header);
  const next =
    start === -1 ? [...lines, ...(lines.length > 0 && lines[lines.length - 1]!.trim() !== '' ? [''] : []), ...section] : [...lines.slice(0, start), ...section, ...lines.slice(end)];
  return `${next.join('\n')}\n`;
}

function isOurs(lines: string[], start: number, end: number, mark: string): boolean {
  return start !== -1 && lines.slice(start, end).some(line => line.trim() === mark);
}

/** Removes the section only if it still carries `mark`: a section someone else rewrote is theirs. */
export function removeSection(text: string, header: string, mark: string): { text: string; removed: boolean } {
  const { lines, start, end } = locate(text, header);
  if (!isOurs(lines, start, end, mark)) return { text, removed: false };
  const before = lines.slice(0, start);
  let after = lines.slice(end);
  // Drop the blank line that separated the section, so add-then-remove leaves the file as it was.
  if (after.length > 0 && after[0]!.trim() === '') after = after.slice(1);
  else if (after.length === 0) while (before.length > 0 && before[before.length - 1]!.trim() === '') before.pop();
  const rest = [...before, ...after];
  return { text: rest.length === 0 ? '' : `${rest.join('\n')}\n`, removed: true };
}

/** Puts `original` (a section as it was before this action replaced it) back in place of ours, if ours is still there. */
export function restoreSection(text: string, header: string, mark: string, original: string[]): { text: string; restored: boolean } {
  const { lines, start, end } = locate(text, header);
  if (!isOurs(lines, start, end, mark) || headerKey(original[0] ?? '') !== header) return { text, restored: false };
  return { text: replaceSection(text, header, original), restored: true };
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function refuseLink(path: string, what: string): boolean {
  const stats = lstatOrUndefined(path);
  if (stats?.isSymbolicLink()) throw new SharedFileError(`${what} ${path} is a symbolic link; refusing to follow it`);
  return stats !== undefined;
}

function checkRegular(stats: Stats, path: string): void {
  if (!stats.isFile()) throw new SharedFileError(`the AWS file ${path} is not a regular file; refusing to read or replace it`);
  if (stats.size > MAX_SHARED_FILE_BYTES) throw new SharedFileError(`the AWS file ${path} is larger than ${MAX_SHARED_FILE_BYTES} bytes; refusing to read it`);
}

/**
 * Reads the file ('' when absent): only an absolute path to a regular file of bounded size, never
 * through a symlink, so neither a link, a FIFO nor a device (/dev/zero) can redirect or stall it.
 */
export function readSharedFile(path: string): string {
  if (!isAbsolute(path)) throw new SharedFileError(`the AWS file path ${path} is not absolute; refusing to use it`);
  refuseLink(dirname(path), 'the AWS folder');
  const stats = lstatOrUndefined(path);
  if (stats === undefined) return '';
  if (stats.isSymbolicLink()) throw new SharedFileError(`the AWS file ${path} is a symbolic link; refusing to follow it`);
  checkRegular(stats, path);
  // O_NONBLOCK: if a FIFO replaced the file since the check, opening it must not wait for a writer.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    checkRegular(fstatSync(fd), path);
    return readBounded(fd, path);
  } finally {
    closeSync(fd);
  }
}

function readBounded(fd: number, path: string): string {
  const buffer = Buffer.alloc(MAX_SHARED_FILE_BYTES + 1);
  let length = 0;
  for (let read = -1; read !== 0 && length < buffer.length; length += read) read = readSync(fd, buffer, length, buffer.length - length, null);
  if (length > MAX_SHARED_FILE_BYTES) throw new SharedFileError(`the AWS file ${path} is larger than ${MAX_SHARED_FILE_BYTES} bytes; refusing to read it`);
  return buffer.toString('utf8', 0, length);
}

/** The file's text, or undefined when there is no file (unlike '' for an empty one), read as readSharedFile does. */
export function readSharedFileIfPresent(path: string): string | undefined {
  return lstatOrUndefined(path) === undefined ? undefined : readSharedFile(path);
}

/** The folder exists (created 0700 if not) and is a real directory, not a link. */
export function ensureFolder(dir: string): void {
  if (refuseLink(dir, 'the AWS folder')) {
    if (!statSync(dir).isDirectory()) throw new SharedFileError(`the AWS folder ${dir} is not a directory`);
    return;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

/** Why the file could not be written here, found before any network call; undefined when it can. */
export function writeProblem(path: string): string | undefined {
  if (!isAbsolute(path)) return `${path} is not an absolute path (HOME is empty or relative and the OS names no home, or an AWS_* file variable is relative)`;
  const parent = dirname(path);
  if (lstatOrUndefined(parent)?.isSymbolicLink()) return `the folder ${parent} is a symbolic link; refusing to follow it`;
  // The nearest folder that exists must be one: under a regular file nothing can be created.
  for (let dir = parent; ; dir = dirname(dir)) {
    const stats = statOrUndefined(dir);
    if (stats !== undefined) {
      if (!stats.isDirectory()) return `${dir} is not a directory, so ${path} cannot be created`;
      break;
    }
    if (dirname(dir) === dir) break;
  }
  return fileProblem(path);
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function fileProblem(path: string): string | undefined {
  const stats = lstatOrUndefined(path);
  if (stats === undefined) return undefined;
  if (stats.isSymbolicLink()) return `${path} is a symbolic link; refusing to follow it`;
  if (!stats.isFile()) return `${path} is not a regular file`;
  if (stats.size > MAX_SHARED_FILE_BYTES) return `${path} is larger than ${MAX_SHARED_FILE_BYTES} bytes`;
  return undefined;
}

/**
 * Writes every byte to a new 0600 temp file, fsyncs it, then renames it over the old one: a short
 * write or a full disk fails before the rename, so the original is never cut short. The rename
 * replaces a path rather than following anything at it. A new directory is 0700.
 */
export function writeSharedFile(path: string, text: string): void {
  ensureFolder(dirname(path));
  refuseLink(path, 'the AWS file');
  const temp = `${path}.${randomUUID()}.tmp`;
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    try {
      fchmodSync(fd, 0o600);
      writeFully(fd, Buffer.from(text, 'utf8'));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    removeQuietly(temp);
    throw error;
  }
  syncFolder(dirname(path));
}

/** writeSync may write less than asked (a full disk, a signal): loop until all is written or it throws. */
export function writeFully(fd: number, data: Buffer): void {
  for (let done = 0; done < data.length;) {
    const written = writeSync(fd, data, done, data.length - done);
    if (written <= 0) throw new SharedFileError('the disk accepted no more bytes');
    done += written;
  }
}

/** So the rename itself survives a crash; a folder that cannot be opened for sync is not an error. */
function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on a directory; the data itself is already synced.
  }
}

export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
