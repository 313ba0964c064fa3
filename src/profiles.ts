import { homedir } from 'node:os';
import { join } from 'node:path';
import { REGION_PATTERN, ROLE_ARN_PATTERN } from './aws-names.js';
import { credentialsHeader, hasSection, OWNER_MARK, readSharedFile, removeSection, sectionHeader, upsertSection, writeSharedFile } from './shared-file.js';

export const PROFILE_NAME_PATTERN = /^[\w.+@-]{1,64}$/;

/** One line of `profiles`: NAME=ROLE_ARN, optionally `,region=REGION`. */
export interface ProfileSpec {
  name: string;
  roleArn: string;
  region?: string;
}

export function parseProfileSpecs(lines: string[], problem: (rule: string) => void): ProfileSpec[] {
  return lines.flatMap(line => {
    const match = /^([^=\s]+)\s*=\s*([^,\s]+)\s*(?:,\s*region\s*=\s*(\S+))?$/.exec(line);
    const [, name = '', roleArn = '', region] = match ?? [];
    const errors = [
      // Quoted on one line: a lone \r inside a line must not start a new log line.
      match ? '' : `'${line.replace(/[\r\n]/g, ' ').slice(0, 80)}' is not NAME=ROLE_ARN or NAME=ROLE_ARN,region=REGION`,
      match && !PROFILE_NAME_PATTERN.test(name) ? `profile name '${name}' must be 1-64 letters, digits or _.+@-` : '',
      match && !ROLE_ARN_PATTERN.test(roleArn) ? `'${roleArn}' (profile ${name}) is not a role ARN` : '',
      region !== undefined && !REGION_PATTERN.test(region) ? `'${region}' (profile ${name}) is not an AWS region name` : ''
    ].filter(error => error !== '');
    errors.forEach(problem);
    if (errors.length > 0) return [];
    return [region === undefined ? { name, roleArn } : { name, roleArn, region }];
  });
}

export interface ProfileFiles {
  credentials: string;
  config: string;
}

/** Where the AWS CLI and SDKs look: AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE, else ~/.aws. */
export function profileFiles(env: Readonly<Record<string, string | undefined>>): ProfileFiles {
  const home = env.HOME || homedir();
  return {
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'),
    config: env.AWS_CONFIG_FILE || join(home, '.aws', 'config')
  };
}

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

/** Problems that would stop the write, found before any network call so a failure costs nothing. */
export function profileWriteProblems(files: ProfileFiles, names: string[], overwrite: boolean): string[] {
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
export function writeProfiles(files: ProfileFiles, entries: ProfileEntry[]): WrittenSection[] {
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
