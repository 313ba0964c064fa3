// Runs an action's built entry file the way the GitHub Actions runner runs a `node24` step:
// a fresh environment (not the test process's), INPUT_*/STATE_* variables, empty file-command
// files that are read back after the process exits, and workflow commands read from both streams.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseFileCommands, parseWorkflowCommands } from './file-commands.ts';
import type { KeyValue, WorkflowCommand } from './file-commands.ts';
import { defaultClaims } from './oidc-server.ts';
import { recordStep } from './step-registry.ts';

export interface StepOptions {
  entry: string;
  inputs?: Record<string, string>;
  env?: Record<string, string | undefined>;
  state?: Record<string, string>;
  workspace?: string;
  home?: string;
  timeoutMs?: number;
  node?: string;
  /** Called with the step's process once it is spawned, e.g. to send it a signal mid-run. */
  onSpawn?: (child: ChildProcess) => void;
}

export interface StepResult {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** True when the step was killed for exceeding timeoutMs. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
  commands: WorkflowCommand[];
  errors: string[];
  masks: string[];
  env: Record<string, string>;
  envPairs: KeyValue[];
  outputs: Record<string, string>;
  state: Record<string, string>;
  /** GITHUB_PATH entries, in file order. */
  paths: string[];
  summary: string;
  /** The runner's failures processing the files (`Unable to process file command …`); these fail the step. */
  fileCommandErrors: string[];
  home: string;
  workspace: string;
  runnerTemp: string;
}

const TEMP_PREFIX = 'aws-assume-role-step-';

/** The GitHub context a push to main would have; paths that need a directory are added by runStep. */
export function baseRunnerEnv(): Record<string, string> {
  const c = defaultClaims();
  const ref = c['ref'] ?? 'refs/heads/main';
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: '__run_2',
    GITHUB_ACTOR: c['actor'] ?? 'octocat',
    GITHUB_ACTOR_ID: c['actor_id'] ?? '',
    GITHUB_TRIGGERING_ACTOR: c['actor'] ?? 'octocat',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_BASE_REF: '',
    GITHUB_HEAD_REF: '',
    GITHUB_EVENT_NAME: c['event_name'] ?? 'push',
    GITHUB_JOB: 'build',
    GITHUB_REF: ref,
    GITHUB_REF_NAME: ref.replace(/^refs\/(heads|tags)\//, ''),
    GITHUB_REF_PROTECTED: 'false',
    GITHUB_REF_TYPE: c['ref_type'] ?? 'branch',
    GITHUB_REPOSITORY: c['repository'] ?? '',
    GITHUB_REPOSITORY_ID: c['repository_id'] ?? '',
    GITHUB_REPOSITORY_OWNER: c['repository_owner'] ?? '',
    GITHUB_REPOSITORY_OWNER_ID: c['repository_owner_id'] ?? '',
    GITHUB_RETENTION_DAYS: '90',
    GITHUB_RUN_ATTEMPT: c['run_attempt'] ?? '1',
    GITHUB_RUN_ID: c['run_id'] ?? '',
    GITHUB_RUN_NUMBER: c['run_number'] ?? '',
    GITHUB_SHA: c['sha'] ?? '',
    GITHUB_WORKFLOW: c['workflow'] ?? 'CI',
    GITHUB_WORKFLOW_REF: c['workflow_ref'] ?? '',
    GITHUB_WORKFLOW_SHA: c['workflow_sha'] ?? '',
    RUNNER_ARCH: 'X64',
    RUNNER_ENVIRONMENT: c['runner_environment'] ?? 'github-hosted',
    RUNNER_NAME: 'GitHub Actions 2',
    RUNNER_OS: 'Linux',
    // The test machine's own AWS identity must never answer: a test that wants one points
    // AWS_EC2_METADATA_SERVICE_ENDPOINT or a container URI at a stand-in and removes this.
    AWS_EC2_METADATA_DISABLED: 'true'
  };
}

/** `role-to-assume` → `INPUT_ROLE-TO-ASSUME`: spaces become `_`, then upper-case; hyphens stay. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

interface Layout {
  root: string;
  runnerTemp: string;
  workspace: string;
  home: string;
  eventPath: string;
  files: Record<'GITHUB_ENV' | 'GITHUB_OUTPUT' | 'GITHUB_STATE' | 'GITHUB_PATH' | 'GITHUB_STEP_SUMMARY', string>;
}

function pushEvent(): unknown {
  const c = defaultClaims();
  const [owner, name] = (c['repository'] ?? 'octo-org/octo-repo').split('/');
  return {
    ref: c['ref'],
    before: '0'.repeat(40),
    after: c['sha'],
    repository: { id: Number(c['repository_id']), name, full_name: c['repository'], private: true, owner: { login: owner } },
    pusher: { name: c['actor'] },
    sender: { login: c['actor'], id: Number(c['actor_id']) }
  };
}

// Same layout and file names as a hosted runner: <temp>/_runner_file_commands/set_env_<guid> etc.
function makeLayout(options: StepOptions): Layout {
  const root = mkdtempSync(join(tmpdir(), TEMP_PREFIX));
  const runnerTemp = join(root, '_temp');
  const commandDir = join(runnerTemp, '_runner_file_commands');
  const workspace = options.workspace ?? join(root, 'work', 'octo-repo');
  const home = options.home ?? join(root, 'home');
  for (const dir of [commandDir, workspace, home, join(runnerTemp, '_github_workflow')]) mkdirSync(dir, { recursive: true });
  const id = randomUUID();
  const files = {
    GITHUB_ENV: join(commandDir, `set_env_${id}`),
    GITHUB_OUTPUT: join(commandDir, `set_output_${id}`),
    GITHUB_STATE: join(commandDir, `save_state_${id}`),
    GITHUB_PATH: join(commandDir, `add_path_${id}`),
    GITHUB_STEP_SUMMARY: join(commandDir, `step_summary_${id}`)
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const eventPath = join(runnerTemp, '_github_workflow', 'event.json');
  writeFileSync(eventPath, JSON.stringify(pushEvent(), null, 2));
  return { root, runnerTemp, workspace, home, eventPath, files };
}

// Built from scratch: only PATH comes from the test process (to find tools), never its
// NODE_OPTIONS, AWS_* or anything else that would make the step pass for the wrong reason.
function stepEnv(options: StepOptions, layout: Layout): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    ...baseRunnerEnv(),
    HOME: layout.home,
    RUNNER_TEMP: layout.runnerTemp,
    GITHUB_WORKSPACE: layout.workspace,
    GITHUB_EVENT_PATH: layout.eventPath,
    ...layout.files
  };
  for (const [name, value] of Object.entries(options.inputs ?? {})) env[inputVariable(name)] = value;
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

interface Exit {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

function execute(node: string, entry: string, cwd: string, env: Record<string, string>, timeoutMs: number, onSpawn?: (child: ChildProcess) => void): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [entry], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    onSpawn?.(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', e => {
      clearTimeout(timer);
      reject(e);
    });
    // 'close' (not 'exit') so both streams are fully read.
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      resolve({ exitCode, signal, timedOut, stdout, stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // the step may delete its own file; the runner then has nothing to process
  }
}

// The runner's processing error for one file: logged and fails the step; other files still count.
function parseFile(label: string, file: string, errors: string[]): KeyValue[] {
  try {
    return parseFileCommands(readText(file));
  } catch (e) {
    errors.push(`Unable to process file command '${label}' successfully. ${(e as Error).message}`);
    return [];
  }
}

function toMap(pairs: KeyValue[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const { name, value } of pairs) map[name] = value;
  return map;
}

function readBack(layout: Layout, exit: Exit, durationMs: number): StepResult {
  const fileCommandErrors: string[] = [];
  const envPairs = parseFile('env', layout.files.GITHUB_ENV, fileCommandErrors);
  const commands = [...parseWorkflowCommands(exit.stdout, 'stdout'), ...parseWorkflowCommands(exit.stderr, 'stderr')];
  return {
    ...exit,
    durationMs,
    commands,
    errors: commands.filter(c => c.name === 'error').map(c => c.data),
    masks: commands.filter(c => c.name === 'add-mask').map(c => c.data),
    env: toMap(envPairs),
    envPairs,
    outputs: toMap(parseFile('output', layout.files.GITHUB_OUTPUT, fileCommandErrors)),
    state: toMap(parseFile('save_state', layout.files.GITHUB_STATE, fileCommandErrors)),
    paths: readText(layout.files.GITHUB_PATH)
      .split('\n')
      .filter(p => p !== ''),
    summary: readText(layout.files.GITHUB_STEP_SUMMARY),
    fileCommandErrors,
    home: layout.home,
    workspace: layout.workspace,
    runnerTemp: layout.runnerTemp
  };
}

export async function runStep(options: StepOptions): Promise<StepResult> {
  const layout = makeLayout(options);
  const env = stepEnv(options, layout);
  const started = Date.now();
  const exit = await execute(options.node ?? process.execPath, options.entry, layout.workspace, env, options.timeoutMs ?? 30000, options.onSpawn);
  const result = readBack(layout, exit, Date.now() - started);
  recordStep(options.entry, result); // for the leak scan over every step of the test file (leak-scan.ts)
  return result;
}

// Names the runner sets itself for every step, after applying GITHUB_ENV exports (github/runner
// context variables), so an export of them does not reach later steps.
function runnerOwned(name: string): boolean {
  const owned = ['RUNNER_TEMP', 'GITHUB_WORKSPACE', 'GITHUB_EVENT_PATH', 'GITHUB_ENV', 'GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY'];
  return owned.includes(name) || (name in baseRunnerEnv() && /^(GITHUB|RUNNER)_/.test(name));
}

/**
 * The environment a later step sees from these steps' GITHUB_ENV exports (later steps win).
 * Like the runner: NODE_OPTIONS (any case) is refused, and runner-owned GITHUB_ and RUNNER_ names
 * are set again by the runner for each step, so exports of them have no effect.
 */
export function envAfter(...results: StepResult[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const result of results) {
    for (const { name, value } of result.envPairs) {
      if (name.toUpperCase() === 'NODE_OPTIONS' || runnerOwned(name)) continue;
      env[name] = value;
    }
  }
  return env;
}

/** Removes the temp directory runStep created (not a caller-supplied workspace or home). */
export function cleanupStep(result: StepResult): void {
  rmSync(dirname(result.runnerTemp), { recursive: true, force: true });
}
