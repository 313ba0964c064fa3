// The action run in process through its Runtime: the real STS and OIDC stand-ins on loopback (SigV4,
// trust policies, real error codes), a fake clock that records every backoff instead of waiting, and
// an output that renders what @actions/core would print. The result has the shape of a spawned step
// (StepResult), so assertions and the file's leak scan treat both alike — in milliseconds.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Helper } from '../../src/export/refresh-profile.js';
import { runAction } from '../../src/main.js';
import type { ActionOutput, Clock, Runtime } from '../../src/ports.js';
import { envRunContext, readConfigFile, systemRuntime } from '../../src/runtime.js';
import type { RunContext } from '../../src/types.js';
import { parseWorkflowCommands, type KeyValue } from './file-commands.ts';
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

/** Renders each call as @actions/core would print or write it, and keeps the file commands as pairs. */
export class RecordingOutput implements ActionOutput {
  stdout = '';
  summaryText = '';
  failed: string | undefined;
  readonly envPairs: KeyValue[] = [];
  readonly outputPairs: KeyValue[] = [];
  readonly statePairs: KeyValue[] = [];

  setSecret(value: string): void {
    this.command('add-mask', value);
  }
  exportVariable(name: string, value: string): void {
    this.envPairs.push({ name, value });
  }
  setOutput(name: string, value: string): void {
    this.outputPairs.push({ name, value });
  }
  saveState(name: string, value: string): void {
    this.statePairs.push({ name, value });
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
}

export interface InProcessResult extends StepResult {
  clock: FakeClock;
  output: RecordingOutput;
}

// What the in-process tests load instead of dist/sdk: the same SDK classes, from the sources.
const loadSdk = () => import('../../src/sdk/index.js');

const HELPER: Helper = { node: '/usr/bin/node', script: '/opt/action/dist/refresh/index.js' };

/** The step's environment, built like the step runner builds it, for a run in this process. */
export function inProcessEnv(inputs: Record<string, string>, options: InProcessOptions, home: string): Record<string, string> {
  const env: Record<string, string> = { ...baseRunnerEnv(), HOME: home, GITHUB_WORKSPACE: join(home, 'work') };
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
  const clock = options.clock ?? fakeClock();
  const output = new RecordingOutput();
  const system = systemRuntime(loadSdk);
  const runtime: Runtime = {
    ...system,
    env,
    system: { homedir: home, nodeVersion: '24.19.0', readConfigFile },
    clock,
    out: output,
    runContext: async () => options.runContext ?? envRunContext(env)
  };
  await runAction(options.adapt ? options.adapt(runtime) : runtime, HELPER);
  const result = toStepResult(output, clock, home);
  recordStep('in-process', result); // scanned for leaks with every step of the file (leak-scan.ts)
  return result;
}

function toMap(pairs: KeyValue[]): Record<string, string> {
  return Object.fromEntries(pairs.map(({ name, value }) => [name, value]));
}

function toStepResult(output: RecordingOutput, clock: FakeClock, home: string): InProcessResult {
  const commands = parseWorkflowCommands(output.stdout, 'stdout');
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
    env: toMap(output.envPairs),
    envPairs: output.envPairs,
    outputs: toMap(output.outputPairs),
    state: toMap(output.statePairs),
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
