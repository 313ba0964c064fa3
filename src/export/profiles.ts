// Profiles in the shared credentials and config files: checked before any call, written after verify,
// removed by the post step.
import { InputError } from '../errors.js';
import type { SharedFiles } from '../inputs/environment.js';
import type { Plan } from '../plan.js';
import { credentialsHeader, hasSection, OWNER_MARK, readSharedFile, removeSection, sectionHeader, upsertSection, writeSharedFile } from './shared-file.js';

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

/** A section this action wrote, so the post step can remove exactly that. */
export interface WrittenSection {
  file: string;
  header: string;
}

/** Profile files are checked before any call, so an existing profile costs no STS round trip. */
export function checkProfileTargets(plan: Exclude<Plan, { kind: 'wipe' }>): void {
  const names = [...(plan.sinks.profile === undefined ? [] : [plan.sinks.profile]), ...(plan.kind === 'assume' ? plan.profiles.map(p => p.name) : [])];
  if (names.length === 0) return;
  const problems = profileWriteProblems(plan.sinks.sharedFiles, names, plan.sinks.overwriteProfiles);
  if (problems.length > 0) throw new InputError(problems);
}

/** Problems that would stop the write, found before any network call so a failure costs nothing. */
function profileWriteProblems(files: SharedFiles, names: string[], overwrite: boolean): string[] {
  const read = (file: string): string | Error => {
    try {
      return readSharedFile(file);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  };
  const credentials = read(files.credentials);
  const config = read(files.config);
  const refusals = [credentials, config].flatMap(text => (text instanceof Error ? [`aws-profile: ${text.message}`] : []));
  if (refusals.length > 0 || overwrite || credentials instanceof Error || config instanceof Error) return refusals;
  return names.flatMap(name => {
    const file = hasSection(credentials, credentialsHeader(name)) ? files.credentials : hasSection(config, sectionHeader(name)) ? files.config : undefined;
    return file === undefined ? [] : [`aws-profile: profile '${name}' already exists in ${file}; set overwrite-aws-profile: true to replace it`];
  });
}

/** Writes every profile (credentials and region), keeping other sections and comments. */
export function writeProfiles(files: SharedFiles, entries: ProfileEntry[]): WrittenSection[] {
  let credentials = readSharedFile(files.credentials);
  let config = readSharedFile(files.config);
  for (const entry of entries) {
    credentials = upsertSection(credentials, credentialsHeader(entry.name), [OWNER_MARK, ...credentialLines(entry.credentials)]);
    config = upsertSection(config, sectionHeader(entry.name), [OWNER_MARK, `region = ${entry.region}`]);
  }
  writeSharedFile(files.credentials, credentials);
  writeSharedFile(files.config, config);
  return entries.flatMap(entry => [
    { file: files.credentials, header: credentialsHeader(entry.name) },
    { file: files.config, header: sectionHeader(entry.name) }
  ]);
}

/** The post step's half: take out what this action put in, if it is still ours; returns what was removed. */
export function removeSections(written: WrittenSection[]): WrittenSection[] {
  const removed: WrittenSection[] = [];
  const byFile = new Map<string, string[]>();
  for (const { file, header } of written) byFile.set(file, [...(byFile.get(file) ?? []), header]);
  for (const [file, headers] of byFile) {
    let text = readSharedFile(file);
    for (const header of headers) {
      const result = removeSection(text, header, OWNER_MARK);
      if (result.removed) removed.push({ file, header });
      text = result.text;
    }
    if (removed.some(section => section.file === file)) writeSharedFile(file, text);
  }
  return removed;
}

function credentialLines(credentials: ProfileCredentials): string[] {
  return [
    `aws_access_key_id = ${credentials.accessKeyId}`,
    `aws_secret_access_key = ${credentials.secretAccessKey}`,
    ...(credentials.sessionToken ? [`aws_session_token = ${credentials.sessionToken}`] : [])
  ];
}
