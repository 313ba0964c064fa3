// The ports: everything the run touches outside its own code. `runtime.ts` wires the real ones;
// tests pass recording and fake ones, so every flow runs in process.
import type { Masker } from './mask.js';
import type { AmbientAnswer, AmbientProvider, Env, IdTokenEndpoint, ProxySettings, RunContext, Sts, StsConnection, SystemFacts } from './types.js';

/**
 * Writes that go with the export but outside the runner's files (the profile files): done after the
 * post step's state and before the environment, so either the post step or `undo` can take them out.
 */
export interface StagedWrite {
  /** What it writes, for the message that says what remains after a failure. */
  readonly description: string;
  /** Throws what would stop the write; called before the first byte goes anywhere. */
  check(): void;
  write(): void;
  /** Puts back what `write` changed; returns what could not be put back. */
  undo(): string[];
  /** Ends the write, kept or undone (releases its locks). */
  finish(): void;
}

/** Everything one run exports, handed over at once so it can be all or nothing. */
export interface ExportBatch {
  /** For the post step: written first, so everything after it can be cleaned up even if the step dies. */
  state: Record<string, string>;
  /** For later steps: one append, which the runner reads only after the step. */
  env: Record<string, string>;
  outputs: Record<string, string>;
  files?: StagedWrite;
}

/** The runner-facing effects, as @actions/core provides them. */
export interface ActionOutput extends Masker {
  /**
   * Checks GITHUB_STATE, GITHUB_ENV and GITHUB_OUTPUT (set, writable) and the staged files before
   * the first byte; writes state, files, env, outputs; on any failure undoes what it wrote and
   * throws a StepError that says what remains. Mask every secret in the batch before calling.
   */
  exportAll(batch: ExportBatch): void;
  info(message: string): void;
  /** Shown only with ACTIONS_STEP_DEBUG: the decisions a person debugging a run wants to see. */
  debug(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
  /** Marks the step failed with this message (once, at the end of the run). */
  setFailed(message: string): void;
  /** Appends markdown to the job summary; a summary that cannot be written only warns. */
  summary(markdown: string): void;
  /**
   * Resolves once every call so far has reached the runner (the writer may load after the first
   * lines: see deferred-output.ts). Awaited before the export, and at the end of the run.
   */
  flush(): Promise<void>;
}

/** Time, as the retry and deadline logic see it: a fake one makes backoff schedules testable in milliseconds. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason once it is aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

export interface Runtime {
  /** The step's environment: read by the inputs layer only. */
  env: Env;
  system: SystemFacts;
  out: ActionOutput;
  clock: Clock;
  connectSts(connection: StsConnection): Sts;
  /** One request to the job's OIDC token endpoint for this audience. */
  requestIdToken(endpoint: IdTokenEndpoint, audience: string, proxy: ProxySettings): Promise<string>;
  readTokenFile(path: string): Promise<string>;
  /** Asks one provider of the SDK's standard chain for the runner's own credentials, within a bounded time. */
  resolveAmbient(provider: AmbientProvider): Promise<AmbientAnswer>;
  runContext(): Promise<RunContext>;
  /** Aborted when the runner cancels the step (SIGTERM, SIGINT): nothing may be exported after that. */
  cancelled?: AbortSignal;
}
