// The action run in process through its Runtime: the real STS and OIDC stand-ins on loopback (SigV4,
// trust policies, real error codes), a fake clock that records every backoff instead of waiting, and
// an output that renders what @actions/core would print. The result has the shape of a spawned step
// (StepResult), so assertions and the file's leak scan treat both alike — in milliseconds.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Helper } from '../../src/export/refresh-profile.js';
import { runAction } from '../../src/main.js';
import { runPost } from '../../src/post/post.js';
import { appendBlock } from '../../src/post/file-command.js';
import { commandBlock, commitExport, fileIo, type CommandFileIo, type CommandFileKind, type CommandFilePaths } from '../../src/export/commit.js';
import type { ActionOutput, Clock, ExportBatch, Runtime } from '../../src/ports.js';
import { envRunContext, readConfigFile, systemRuntime } from '../../src/runtime.js';
import type { RunContext } from '../../src/types.js';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { RefreshServerStarter } from '../../src/export/refresh-server.js';
import { specAssumer } from '../../src/refresh/helper.js';
import { credentialService, listenLocal } from '../../src/refresh/server.js';
import { parseFileCommands, parseWorkflowCommands, type KeyValue } from './file-commands.ts';
import { baseRunnerEnv, inputVariable, type StepResult } from './step-runner.ts';
import { recordStep } from './step-registry.ts';

export const START = Date.parse('2026-12-01T12:00:00Z');

/**
 * Time moves only when the action sleeps: a plain sleep (a retry's backoff) advances the clock at
 * once and is recorded; a sleep with an abort signal (the action-timeout-s deadline) is a timer that
 * fires once the clock passes it. A test can also `advance` the clock itself (a slow server).
 */
export interface FakeClock extends Clock {
  /** Every plain sleep, in order: the backoff schedule. */
  readonly sleeps: number[];
  advance(ms: number): void;
}

export function fakeClock(start = START, random: () => number = () => 0.5): FakeClock {
  let now = start;
  const timers: { at: number; fire: () => void }[] = [];
  const advance = (ms: number): void => {
    now += ms;
    for (const timer of timers.filter(t => t.at <= now)) {
      timers.splice(timers.indexOf(timer), 1);
      timer.fire();
    }
  };
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    random,
    advance,
    sleep(ms, signal) {
      if (signal === undefined) {
        sleeps.push(ms);
        advance(ms);
        return new Promise(resolve => setImmediate(resolve));
      }
      return new Promise((resolve, reject) => {
        const timer = { at: now + ms, fire: () => resolve() };
        timers.push(timer);
        signal.addEventListener('abort', () => {
          timers.splice(timers.indexOf(timer), 1);
          reject(signal.reason as Error);
        });
      });
    }
  };
}

/** Breaks the export on purpose: `failAppend` writes half of that file's block, then fails as a full disk would. */
export interface ExportFaults {
  failAppend?: CommandFileKind;
  /** Runs after each append, e.g. to break a profile file between the state and the environment. */
  afterAppend?: (kind: CommandFileKind) => void;
}

/**
 * Renders each call as @actions/core would print it; the export goes through the action's own
 * commitExport into real GITHUB_STATE/ENV/OUTPUT files (read back like the runner), with faults injectable.
 */
export class RecordingOutput implements ActionOutput {
  stdout = '';
  summaryText = '';
  failed: string | undefined;
  exports = 0;

  private readonly paths: CommandFilePaths;
  private readonly faults: ExportFaults;

  constructor(paths: CommandFilePaths, faults: ExportFaults = {}) {
    this.paths = paths;
    this.faults = faults;
  }

  setSecret(value: string): void {
    this.command('add-mask', value);
  }
  exportAll(batch: ExportBatch): void {
    this.exports++;
    const faults = this.faults;
    const io: CommandFileIo = {
      ...fileIo,
      append(kind, fd, data) {
        if (faults.failAppend === kind) {
          fileIo.append(kind, fd, data.subarray(0, data.length >> 1));
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        }
        fileIo.append(kind, fd, data);
        faults.afterAppend?.(kind);
      }
    };
    commitExport(this.paths, batch, io);
  }
  info(message: string): void {
    this.stdout += `${message}\n`;
  }
  debug(message: string): void {
    this.command('debug', message);
  }
  notice(message: string): void {
    this.command('notice', message);
  }
  warning(message: string): void {
    this.command('warning', message);
  }
  setFailed(message: string): void {
    this.failed = message;
    this.command('error', message);
  }
  summary(markdown: string): void {
    this.summaryText += `${markdown}\n`;
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }

  private command(name: string, data: string): void {
    this.stdout += `::${name}::${data.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`;
  }
}

export interface InProcessOptions {
  env?: Record<string, string | undefined>;
  clock?: FakeClock;
  home?: string;
  runContext?: RunContext;
  /** Wraps the runtime, e.g. to count or break one of its ports. */
  adapt?: (rt: Runtime) => Runtime;
  exportFaults?: ExportFaults;
  cancelled?: AbortSignal;
  /** The credential_process helper and the credentials server starter; by default the server runs in this process. */
  helper?: Helper;
}

export interface InProcessResult extends StepResult {
  clock: FakeClock;
  output: RecordingOutput;
}

// What the in-process tests load instead of dist/sdk: the same SDK classes, from the sources.
const loadSdk = () => import('../../src/sdk/index.js');

/** Local credentials servers the in-process runs started, each serving from this process until closed. */
const servers = new Set<Server>();

/** Stops every in-process credentials server (a test's afterAll, or the world's close). */
export async function closeInProcessServers(): Promise<void> {
  await Promise.all([...servers].map(server => new Promise(resolve => server.close(resolve))));
  servers.clear();
}

/** The server the process starter spawns, run in this process instead: same service, same HTTP, the sources' SDK. */
export function inProcessServerStarter(env: Record<string, string | undefined>): RefreshServerStarter {
  return {
    async start(spec, credentials) {
      const authorization = randomBytes(32).toString('base64url');
      const nonce = randomBytes(16).toString('hex');
      const service = credentialService({
        credentials,
        assume: specAssumer(spec, env, { stdout: () => undefined, stderr: () => undefined }, loadSdk),
        clock: { now: Date.now },
        authorization,
        nonce
      });
      // The server stops itself through `stop`, which exists before the server does.
      const held: { server?: Server } = {};
      const stop = (): void => {
        held.server?.close();
        if (held.server) servers.delete(held.server);
      };
      const listening = await listenLocal(service, stop);
      held.server = listening.server;
      servers.add(listening.server);
      return { port: listening.port, pid: process.pid, authorization, nonce, stop };
    }
  };
}

function inProcessHelper(env: Record<string, string | undefined>): Helper {
  return { node: '/usr/bin/node', script: '/opt/action/dist/refresh/index.js', server: inProcessServerStarter(env) };
}

/** The step's environment, built like the step runner builds it, for a run in this process. */
export function inProcessEnv(inputs: Record<string, string>, options: InProcessOptions, home: string): Record<string, string> {
  const commands = join(home, 'temp', '_runner_file_commands');
  const files = { GITHUB_ENV: join(commands, 'set_env'), GITHUB_OUTPUT: join(commands, 'set_output'), GITHUB_STATE: join(commands, 'save_state') };
  const env: Record<string, string> = { ...baseRunnerEnv(), HOME: home, GITHUB_WORKSPACE: join(home, 'work'), ...files };
  for (const [name, value] of Object.entries(inputs)) env[inputVariable(name)] = value;
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export async function runInProcess(inputs: Record<string, string>, options: InProcessOptions = {}): Promise<InProcessResult> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'aws-assume-role-inproc-'));
  const env = inProcessEnv(inputs, options, home);
  const files = createCommandFiles(home);
  const clock = options.clock ?? fakeClock();
  const output = new RecordingOutput({ state: env.GITHUB_STATE, env: env.GITHUB_ENV, outputs: env.GITHUB_OUTPUT }, options.exportFaults);
  const system = systemRuntime(loadSdk);
  const runtime: Runtime = {
    ...system,
    env,
    system: { homedir: home, nodeVersion: '24.19.0', readConfigFile },
    clock,
    out: output,
    runContext: async () => options.runContext ?? envRunContext(env),
    cancelled: options.cancelled
  };
  await runAction(options.adapt ? options.adapt(runtime) : runtime, options.helper ?? inProcessHelper(env));
  const result = toStepResult(output, clock, home, files);
  recordStep('in-process', result); // scanned for leaks with every step of the file (leak-scan.ts)
  return result;
}

/**
 * The post step in process: what `src/post/step.ts` does on the runner, with the main step's saved
 * state as STATE_* variables and its own GITHUB_ENV, a failure reported as the step's one error.
 */
export function runPostInProcess(main: StepResult, env: Record<string, string | undefined> = {}): InProcessResult {
  const clock = fakeClock();
  const files = createCommandFiles(mkdtempSync(join(tmpdir(), 'aws-assume-role-inproc-post-')));
  const output = new RecordingOutput(files);
  const postEnv: Record<string, string | undefined> = { HOME: main.home, ...main.env, ...env, GITHUB_ENV: files.env };
  for (const [name, value] of Object.entries(main.state)) postEnv[`STATE_${name}`] = value;
  try {
    runPost(postEnv, { exportVariables: values => appendBlock(files.env, commandBlock(values)), info: message => output.info(message) }, main.home);
  } catch (error) {
    output.setFailed(error instanceof Error ? error.message : String(error));
  }
  const result = toStepResult(output, clock, main.home, files);
  recordStep('in-process post', result);
  return result;
}

/** The runner creates these empty before the step; a test may remove one or point its variable elsewhere. */
export function createCommandFiles(home: string): CommandFiles {
  const dir = join(home, 'temp', '_runner_file_commands');
  mkdirSync(dir, { recursive: true });
  const files = { env: join(dir, 'set_env'), outputs: join(dir, 'set_output'), state: join(dir, 'save_state') };
  Object.values(files).forEach(file => writeFileSync(file, ''));
  return files;
}

export type CommandFiles = Record<'env' | 'outputs' | 'state', string>;

function toMap(pairs: KeyValue[]): Record<string, string> {
  return Object.fromEntries(pairs.map(({ name, value }) => [name, value]));
}

function readPairs(file: string): KeyValue[] {
  return existsSync(file) ? parseFileCommands(readFileSync(file, 'utf8')) : [];
}

function toStepResult(output: RecordingOutput, clock: FakeClock, home: string, files: CommandFiles): InProcessResult {
  const commands = parseWorkflowCommands(output.stdout, 'stdout');
  const envPairs = readPairs(files.env);
  return {
    exitCode: output.failed === undefined ? 0 : 1,
    signal: null,
    durationMs: clock.now() - START,
    timedOut: false,
    stdout: output.stdout,
    stderr: '',
    commands,
    errors: commands.filter(c => c.name === 'error').map(c => c.data),
    masks: commands.filter(c => c.name === 'add-mask').map(c => c.data),
    env: toMap(envPairs),
    envPairs,
    outputs: toMap(readPairs(files.outputs)),
    state: toMap(readPairs(files.state)),
    paths: [],
    summary: output.summaryText,
    fileCommandErrors: [],
    home,
    workspace: join(home, 'work'),
    runnerTemp: join(home, 'temp'),
    clock,
    output
  };
}
