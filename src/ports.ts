// The ports: everything the run touches outside its own code. `runtime.ts` wires the real ones;
// tests pass recording and fake ones, so every flow runs in process.
import type { Masker } from './mask.js';
import type { AmbientAnswer, AmbientProvider, Env, IdTokenEndpoint, ProxySettings, RunContext, Sts, StsConnection, SystemFacts } from './types.js';

/** The runner-facing effects, as @actions/core provides them. */
export interface ActionOutput extends Masker {
  exportVariable(name: string, value: string): void;
  setOutput(name: string, value: string): void;
  saveState(name: string, value: string): void;
  info(message: string): void;
  /** Shown only with ACTIONS_STEP_DEBUG: the decisions a person debugging a run wants to see. */
  debug(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
  /** Marks the step failed with this message (once, at the end of the run). */
  setFailed(message: string): void;
  /** Appends markdown to the job summary; a summary that cannot be written only warns. */
  summary(markdown: string): void;
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
}
