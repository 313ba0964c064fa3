import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { REGION_PATTERN, ROLE_ARN_PATTERN } from './aws-names.js';

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
      match ? '' : `'${line.slice(0, 80)}' is not NAME=ROLE_ARN or NAME=ROLE_ARN,region=REGION`,
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
  section: string;
}

const configSection = (name: string): string => (name === 'default' ? 'default' : `profile ${name}`);

/** Problems that would stop the write, found before any network call so a failure costs nothing. */
export function profileWriteProblems(files: ProfileFiles, names: string[], overwrite: boolean): string[] {
  const problems: string[] = [];
  for (const file of [files.credentials, files.config]) {
    const refusal = unsafePath(file);
    if (refusal !== undefined) problems.push(`aws-profile: refusing ${file} (${refusal})`);
  }
  if (problems.length > 0 || overwrite) return problems;
  const credentials = sectionsOf(readIfExists(files.credentials));
  const config = sectionsOf(readIfExists(files.config));
  for (const name of names) {
    const file = credentials.has(name) ? files.credentials : config.has(configSection(name)) ? files.config : undefined;
    if (file !== undefined) problems.push(`aws-profile: profile '${name}' already exists in ${file}; set overwrite-aws-profile: true to replace it`);
  }
  return problems;
}

/** Writes every profile (credentials and region), keeping other sections and comments. */
export function writeProfiles(files: ProfileFiles, entries: ProfileEntry[]): WrittenSection[] {
  let credentials = readIfExists(files.credentials);
  let config = readIfExists(files.config);
  for (const entry of entries) {
    credentials = replaceSection(credentials, entry.name, credentialLines(entry.credentials));
    config = replaceSection(config, configSection(entry.name), [`region = ${entry.region}`]);
  }
  writePrivate(files.credentials, credentials);
  writePrivate(files.config, config);
  return entries.flatMap(entry => [
    { file: files.credentials, section: entry.name },
    { file: files.config, section: configSection(entry.name) }
  ]);
}

/** The post step's half: take out what `writeProfiles` put in. */
export function removeSections(written: WrittenSection[]): void {
  const byFile = new Map<string, string[]>();
  for (const { file, section } of written) byFile.set(file, [...(byFile.get(file) ?? []), section]);
  for (const [file, sections] of byFile) {
    if (unsafePath(file) !== undefined) continue;
    const before = readIfExists(file);
    const after = sections.reduce((text, section) => replaceSection(text, section, undefined), before);
    if (after !== before) writePrivate(file, after);
  }
}

function credentialLines(credentials: ProfileCredentials): string[] {
  return [
    `aws_access_key_id = ${credentials.accessKeyId}`,
    `aws_secret_access_key = ${credentials.secretAccessKey}`,
    ...(credentials.sessionToken ? [`aws_session_token = ${credentials.sessionToken}`] : [])
  ];
}

const HEADER = /^\s*\[\s*([^\]]+?)\s*\]\s*(?:[#;].*)?$/;

function sectionsOf(text: string): Set<string> {
  return new Set(text.split('\n').flatMap(line => HEADER.exec(line)?.[1] ?? []));
}

/** Replaces (or removes, with `body` undefined) one section; everything else stays byte for byte. */
export function replaceSection(text: string, section: string, body: string[] | undefined): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const start = lines.findIndex(line => HEADER.exec(line)?.[1] === section);
  const replacement = body === undefined ? [] : [`[${section}]`, ...body];
  if (start < 0) {
    if (body === undefined) return text;
    const gap = lines.length > 0 && lines.at(-1)?.trim() !== '' ? [''] : [];
    return `${[...lines, ...gap, ...replacement].join('\n')}\n`;
  }
  let end = lines.findIndex((line, i) => i > start && HEADER.test(line));
  if (end < 0) end = lines.length;
  // Blank lines and comments just before the next header belong to that section.
  while (end - 1 > start && /^\s*([#;].*)?$/.test(lines[end - 1] ?? '')) end--;
  const kept = [...lines.slice(0, start), ...replacement, ...lines.slice(end)];
  return kept.length === 0 ? '' : `${kept.join('\n')}\n`;
}

function readIfExists(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A link could point the write at another file; the file and its folder must be what they say. */
function unsafePath(file: string): string | undefined {
  const kind = (path: string): 'link' | 'dir' | 'file' | 'other' | undefined => {
    try {
      const stats = lstatSync(path);
      return stats.isSymbolicLink() ? 'link' : stats.isDirectory() ? 'dir' : stats.isFile() ? 'file' : 'other';
    } catch {
      return undefined;
    }
  };
  const fileKind = kind(file);
  if (fileKind === 'link') return 'it is a symbolic link';
  if (fileKind === 'dir' || fileKind === 'other') return 'it is not a regular file';
  if (kind(dirname(file)) === 'link') return 'its folder is a symbolic link';
  return undefined;
}

/** Folder 0700 and file 0600, replaced in one rename so no reader sees half a file. */
function writePrivate(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, content, { mode: 0o600, flag: 'wx' });
    chmodSync(temporary, 0o600);
    renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}
