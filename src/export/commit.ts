// The export as one transaction over the runner's file commands and the profile files: every target
// is opened and checked before the first byte, the post step's state goes first, each file gets one
// append, and a failure truncates what was appended and undoes the profile files. No @actions/core.
import { randomUUID } from 'node:crypto';
import { closeSync, constants, fstatSync, ftruncateSync, openSync } from 'node:fs';
import { EOL } from 'node:os';
import { describeError, StepError } from '../errors.js';
import type { ExportBatch } from '../ports.js';
import { writeFully } from './shared-file.js';

export const COMMAND_FILE_VARIABLES = { state: 'GITHUB_STATE', env: 'GITHUB_ENV', outputs: 'GITHUB_OUTPUT' } as const;
export type CommandFileKind = keyof typeof COMMAND_FILE_VARIABLES;

/** The runner's files for this step, from GITHUB_STATE / GITHUB_ENV / GITHUB_OUTPUT (undefined when unset). */
export type CommandFilePaths = Record<CommandFileKind, string | undefined>;

interface OpenFile {
  kind: CommandFileKind;
  path: string;
  fd: number;
  size: number;
}

/** The file operations, so a test can make one of them fail (a full disk, a vanished file). */
export interface CommandFileIo {
  open(path: string): { fd: number; size: number };
  append(kind: CommandFileKind, fd: number, data: Buffer): void;
  truncate(fd: number, size: number): void;
  close(fd: number): void;
}

export const fileIo: CommandFileIo = {
  open(path) {
    // No O_CREAT: the runner creates these files; a missing one means they would never be read.
    const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const stats = fstatSync(fd);
    if (!stats.isFile()) {
      closeSync(fd);
      throw new Error('not a regular file');
    }
    return { fd, size: stats.size };
  },
  append: (_kind, fd, data) => writeFully(fd, data),
  truncate: (fd, size) => ftruncateSync(fd, size),
  close: fd => closeSync(fd)
};

/** `name<<delimiter` blocks, the format @actions/core writes and the runner parses. */
export function commandBlock(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => {
      const delimiter = `ghadelimiter_${randomUUID()}`;
      if (name.includes(delimiter) || value.includes(delimiter)) throw new StepError(`the value of ${name} contains the file-command delimiter`);
      if (name === '' || /[\r\n=]|<</.test(name)) throw new StepError(`'${name}' cannot be written as a file-command name`);
      return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
    })
    .join('');
}

const ORDER: CommandFileKind[] = ['state', 'env', 'outputs'];

/** See ActionOutput.exportAll. */
export function commitExport(paths: CommandFilePaths, batch: ExportBatch, io: CommandFileIo = fileIo): void {
  const blocks = { state: commandBlock(batch.state), env: commandBlock(batch.env), outputs: commandBlock(batch.outputs) };
  const needed = ORDER.filter(kind => blocks[kind] !== '');
  const opened = openAll(paths, needed, io);
  const done: string[] = [];
  try {
    batch.files?.check();
    writeStep(() => appendBlock(opened, 'state', blocks.state, io), done, 'the post step state');
    if (batch.files) writeStep(() => batch.files!.write(), done, batch.files.description);
    writeStep(() => appendBlock(opened, 'env', blocks.env, io), done, 'the environment for later steps');
    writeStep(() => appendBlock(opened, 'outputs', blocks.outputs, io), done, 'the step outputs');
  } catch (error) {
    const remains = [...(batch.files ? safely(() => batch.files!.undo(), batch.files.description) : []), ...truncateAll(opened, io)];
    throw new StepError(failureText(error, done, remains));
  } finally {
    batch.files?.finish();
    opened.forEach(file => io.close(file.fd));
  }
}

function openAll(paths: CommandFilePaths, kinds: CommandFileKind[], io: CommandFileIo): OpenFile[] {
  const problems: string[] = [];
  const opened: OpenFile[] = [];
  for (const kind of kinds) {
    const variable = COMMAND_FILE_VARIABLES[kind];
    const path = paths[kind];
    if (path === undefined || path === '') {
      problems.push(`${variable} is not set: the step must run under the GitHub Actions runner, which reads that file after the step`);
      continue;
    }
    try {
      opened.push({ kind, path, ...io.open(path) });
    } catch (error) {
      problems.push(`${variable} (${path}) cannot be written: ${describeError(error)}`);
    }
  }
  if (problems.length > 0) {
    opened.forEach(file => io.close(file.fd));
    throw new StepError(`Nothing was exported: ${problems.join('; ')}`);
  }
  return opened;
}

function appendBlock(opened: OpenFile[], kind: CommandFileKind, block: string, io: CommandFileIo): void {
  const file = opened.find(f => f.kind === kind);
  if (file !== undefined && block !== '') io.append(kind, file.fd, Buffer.from(block, 'utf8'));
}

function writeStep(step: () => void, done: string[], what: string): void {
  try {
    step();
  } catch (error) {
    throw new StepError(`could not write ${what}: ${describeError(error)}`);
  }
  done.push(what);
}

/** Each runner file back to its length before the export; the runner reads them only after the step. */
function truncateAll(opened: OpenFile[], io: CommandFileIo): string[] {
  return opened.flatMap(file =>
    safely(() => {
      io.truncate(file.fd, file.size);
      return [];
    }, `what was appended to ${COMMAND_FILE_VARIABLES[file.kind]} (${file.path})`)
  );
}

function safely(undo: () => string[], what: string): string[] {
  try {
    return undo();
  } catch (error) {
    return [`${what} (could not undo: ${describeError(error)})`];
  }
}

function failureText(error: unknown, done: string[], remains: string[]): string {
  const cause = error instanceof StepError ? error.message : describeError(error);
  const undone = done.length > 0 ? `; undone: ${done.join(', ')}` : '';
  const left = remains.length > 0 ? `. Still in place, remove by hand: ${remains.join('; ')}` : '. Nothing was exported';
  return `Export failed, ${cause}${undone}${left}`;
}
