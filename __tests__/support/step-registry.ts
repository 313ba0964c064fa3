// Every step a test file runs, and every secret its worlds hand out, so one scan after the file
// (support/leak-scan.ts, a jest setupFilesAfterEnv) can check ALL captured output for leaks,
// including steps a test never inspected itself.
//
// The registry lives on globalThis under a Symbol.for key, not in a module variable: jest gives each
// test file its own global context (so the registry is per file), while a module could be loaded
// twice in one file (setup file and test resolving it differently) and split the records.
import type { StepResult } from './step-runner.ts';

export interface RecordedStep {
  result: StepResult;
  /** The test that ran it (jest's currentTestName at spawn time; approximate under test.concurrent). */
  test: string;
  entry: string;
}

interface Registry {
  enabled: boolean;
  steps: RecordedStep[];
  secretSources: Array<() => string[]>;
  exempt: WeakSet<StepResult>;
}

const KEY = Symbol.for('aws-assume-role-action.test.step-registry');

function registry(): Registry {
  const holder = globalThis as typeof globalThis & { [KEY]?: Registry };
  holder[KEY] ??= { enabled: false, steps: [], secretSources: [], exempt: new WeakSet() };
  return holder[KEY];
}

/** Called by the jest setup file; outside jest (npm run demo) nothing is recorded. */
export function enableStepRegistry(): void {
  registry().enabled = true;
}

function currentTestName(): string {
  const state = (globalThis as { expect?: { getState?: () => { currentTestName?: string } } }).expect?.getState?.();
  return state?.currentTestName ?? '(outside a test)';
}

export function recordStep(entry: string, result: StepResult): void {
  const r = registry();
  if (r.enabled) r.steps.push({ result, test: currentTestName(), entry });
}

/** A world registers a live view of what it issued; it is read when the file's scan runs. */
export function registerSecretSource(source: () => string[]): void {
  const r = registry();
  if (r.enabled) r.secretSources.push(source);
}

/** For a test that prints a secret on purpose (to prove a check fails): its step is not scanned. */
export function exemptFromLeakScan(result: StepResult): void {
  registry().exempt.add(result);
}

export function recordedSteps(): RecordedStep[] {
  const r = registry();
  return r.steps.filter(s => !r.exempt.has(s.result));
}

export function registeredSecrets(): string[] {
  return [...new Set(registry().secretSources.flatMap(source => source()))];
}

/** Empties the records (after the scan), so a long file or a re-run starts clean. */
export function clearStepRegistry(): void {
  const r = registry();
  r.steps.splice(0);
  r.secretSources.splice(0);
}
