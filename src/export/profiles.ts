// Profiles in the shared credentials and config files: checked before any call, written after verify
// as one change to both files (both or neither, under a lock), removed or put back by the post step.
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { InputError, SharedFileError } from '../errors.js';
import type { Plan } from '../plan.js';
import type { StagedWrite } from '../ports.js';
import { lockFiles } from './file-lock.js';
import {
  credentialsHeader,
  ensureFolder,
  hasSection,
  iniLine,
  OWNER_MARK,
  readSharedFile,
  readSharedFileIfPresent,
  removeQuietly,
  removeSection,
  restoreSection,
  sectionHeader,
  sectionText,
  upsertSection,
  writeProblem,
  writeSharedFile
} from './shared-file.js';

export interface ProfileCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface ProfileEntry {
  name: string;
  region: string;
  credentials: ProfileCredentials;
}

/** A section this action wrote, so the post step can remove exactly that, or put back the one it replaced. */
export interface WrittenSection {
  file: string;
  header: string;
  /** A 0600 file beside `file` holding the sections this run replaced (written only if there were any). */
  backup?: string;
}

/** One section to put in a file; `body` lines are made by iniLine. */
export interface SectionWrite {
  file: string;
  header: string;
  body: string[];
}

type ActivePlan = Exclude<Plan, { kind: 'wipe' }>;

/** Every section this plan would write, in the files it would write them to, and its label for messages. */
function targetSections(plan: ActivePlan): { label: string; name: string; file: string; header: string }[] {
  const files = plan.sinks.sharedFiles;
  const names = [...(plan.sinks.profile === undefined ? [] : [plan.sinks.profile]), ...(plan.kind === 'assume' ? plan.profiles.map(p => p.name) : [])];
  const refresh = plan.sinks.refresh;
  return [
    ...names.flatMap(name => [
      { label: 'aws-profile', name, file: files.credentials, header: credentialsHeader(name) },
      { label: 'aws-profile', name, file: files.config, header: sectionHeader(name) }
    ]),
    ...(refresh ? [{ label: 'refresh-credentials', name: refresh.profile, file: refresh.configFile, header: sectionHeader(refresh.profile) }] : [])
  ];
}

/**
 * One policy for every section this action writes, checked before any call so a refusal costs no STS
 * round trip: the files must be writable, and an existing section is replaced only with overwrite-aws-profile.
 */
export function checkProfileTargets(plan: ActivePlan): void {
  const targets = targetSections(plan);
  if (targets.length === 0) return;
  const problems: string[] = [];
  const texts = new Map<string, string>();
  for (const file of new Set(targets.map(t => t.file))) {
    const label = targets.find(t => t.file === file)!.label;
    const problem = writeProblem(file);
    if (problem !== undefined) problems.push(`${label}: cannot write ${file}: ${problem}`);
    else texts.set(file, readOrProblem(file, label, problems));
  }
  if (problems.length === 0 && !plan.sinks.overwriteProfiles) {
    const seen = new Set<string>();
    for (const { label, name, file, header } of targets) {
      if (seen.has(`${label}/${name}`) || !hasSection(texts.get(file) ?? '', header)) continue;
      seen.add(`${label}/${name}`);
      problems.push(`${label}: profile '${name}' already exists in ${file}; set overwrite-aws-profile: true to replace it`);
    }
  }
  if (problems.length > 0) throw new InputError(problems);
}

function readOrProblem(file: string, label: string, problems: string[]): string {
  try {
    return readSharedFile(file);
  } catch (error) {
    problems.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    return '';
  }
}

/** The credentials and region of each profile, as sections of the two files. */
export function profileSections(files: { credentials: string; config: string }, entries: ProfileEntry[]): SectionWrite[] {
  return entries.flatMap(entry => [
    { file: files.credentials, header: credentialsHeader(entry.name), body: [OWNER_MARK, ...credentialLines(entry.credentials)] },
    { file: files.config, header: sectionHeader(entry.name), body: [OWNER_MARK, iniLine('region', entry.region)] }
  ]);
}

function credentialLines(credentials: ProfileCredentials): string[] {
  return [
    iniLine('aws_access_key_id', credentials.accessKeyId),
    iniLine('aws_secret_access_key', credentials.secretAccessKey),
    ...(credentials.sessionToken ? [iniLine('aws_session_token', credentials.sessionToken)] : [])
  ];
}

function backupPath(file: string): string {
  return `${file}.aws-assume-role-${randomUUID()}.bak`;
}

/** A backup name this action makes for `file`, and no other path: the post step deletes only such files. */
export function isBackupOf(file: string, backup: string): boolean {
  const suffix = backup.startsWith(`${file}.aws-assume-role-`) ? backup.slice(file.length + '.aws-assume-role-'.length) : '';
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.bak$/.test(suffix);
}

/**
 * The sections as one change to their files: `write` locks the files, re-reads them, keeps what it
 * replaces in a backup, and writes each file fully before renaming; `undo` puts every file back.
 */
export function stageSections(writes: SectionWrite[], overwrite: boolean): { staged: StagedWrite; sections: WrittenSection[] } {
  const files = [...new Set(writes.map(w => w.file))];
  const backups = new Map(files.map(file => [file, backupPath(file)]));
  const sections = writes.map(({ file, header }) => ({ file, header, backup: backups.get(file) }));
  const before = new Map<string, string | undefined>();
  const created: string[] = [];
  let release: (() => void) | undefined;
  const staged: StagedWrite = {
    description: `the profile sections in ${files.join(' and ')}`,
    check() {
      const problems = files.flatMap(file => writeProblem(file) ?? []);
      if (problems.length > 0) throw new SharedFileError(`cannot write ${problems.join('; ')}`);
    },
    write() {
      files.forEach(file => ensureFolder(dirname(file)));
      release = lockFiles(files);
      for (const file of files) before.set(file, readSharedFileIfPresent(file));
      const next = files.map(file =>
        changeFile(
          file,
          writes.filter(w => w.file === file),
          before.get(file) ?? '',
          overwrite
        )
      );
      for (const { file, replaced } of next) {
        if (replaced.length === 0) continue;
        writeSharedFile(backups.get(file)!, `${JSON.stringify(Object.fromEntries(replaced))}\n`);
        created.push(backups.get(file)!);
      }
      for (const { file, text } of next) {
        writeSharedFile(file, text);
        created.push(file);
      }
    },
    undo() {
      return created.reverse().flatMap(path => {
        try {
          const original = before.get(path);
          if (original === undefined) removeQuietly(path);
          else writeSharedFile(path, original);
          return [];
        } catch (error) {
          return [`${path} (could not be put back: ${error instanceof Error ? error.message : String(error)})`];
        }
      });
    },
    finish() {
      release?.();
      release = undefined;
    }
  };
  return { staged, sections };
}

function changeFile(file: string, writes: SectionWrite[], text: string, overwrite: boolean): { file: string; text: string; replaced: [string, string[]][] } {
  const replaced: [string, string[]][] = [];
  let next = text;
  for (const { header, body } of writes) {
    const existing = sectionText(next, header);
    if (existing !== undefined) {
      // Another job may have written it since the check before the first call.
      if (!overwrite) throw new SharedFileError(`${header} appeared in ${file} during the run; set overwrite-aws-profile: true to replace it`);
      replaced.push([header, existing]);
    }
    next = upsertSection(next, header, body);
  }
  return { file, text: next, replaced };
}

/** The post step's half: take out what this action put in, or put back what it replaced, if it is still ours. */
export function removeSections(written: WrittenSection[]): WrittenSection[] {
  const done: WrittenSection[] = [];
  for (const file of new Set(written.map(s => s.file))) {
    const sections = written.filter(s => s.file === file);
    const release = lockFiles([file]);
    try {
      done.push(...undoInFile(file, sections));
    } finally {
      release();
    }
  }
  return done;
}

function undoInFile(file: string, sections: WrittenSection[]): WrittenSection[] {
  const done: WrittenSection[] = [];
  let text = readSharedFile(file);
  const backups = new Set(sections.flatMap(s => (s.backup === undefined ? [] : [s.backup])));
  const saved = new Map<string, string[]>([...backups].flatMap(backup => Object.entries(readBackup(backup))));
  for (const section of sections) {
    const original = saved.get(section.header);
    const result = original ? restoreSection(text, section.header, OWNER_MARK, original) : { ...removeSection(text, section.header, OWNER_MARK), restored: false };
    if (!('removed' in result && result.removed) && !result.restored) continue;
    done.push(section);
    text = result.text;
  }
  if (done.length > 0) writeSharedFile(file, text);
  // Kept when a section could not be put back: it still holds the user's original.
  if (done.length === sections.length) backups.forEach(removeQuietly);
  return done;
}

function readBackup(path: string): Record<string, string[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readSharedFile(path) || '{}');
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string[]] => Array.isArray(entry[1]) && entry[1].every(line => typeof line === 'string')));
}
