// The real network, disk and clock, without the toolkit: the step, the refresh helper and the post step
// share them; tests pass their own (see ports.ts). toolkit.ts adds the runner's log through @actions/core.
import { readFileSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveWithSdk } from './credentials/runner-providers.js';
import { readTokenFile } from './oidc/token-file.js';
import { requestIdToken } from './oidc/token.js';
import type { Clock, Runtime } from './ports.js';
import { connectSts, type StsSdk } from './sts/client.js';
import { proxyAgent, REQUEST_TIMEOUT_MS } from './sts/connection.js';
import type { Env, RunContext } from './types.js';

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }),
  random: Math.random
};

/** The clock, network and disk: the same for the step and for the refresh helper, which load the SDK each their own way. */
export function systemRuntime(loadSdk: () => Promise<StsSdk>): Pick<Runtime, 'env' | 'system' | 'clock' | 'connectSts' | 'requestIdToken' | 'readTokenFile' | 'resolveAmbient'> {
  return {
    env: process.env,
    system: { homedir: osHome(), nodeVersion: process.versions.node, platform: process.platform, readConfigFile },
    clock: systemClock,
    connectSts: connection => connectSts(connection, loadSdk),
    requestIdToken: (endpoint, audience, proxy) =>
      requestIdToken({ url: endpoint.url, bearer: endpoint.bearer, audience, timeoutMs: REQUEST_TIMEOUT_MS, agent: proxyAgent(new URL(endpoint.url), proxy) }),
    readTokenFile,
    resolveAmbient: provider => resolveWithSdk(provider, loadSdk)
  };
}

/** The account's home from the OS (the password database), not from HOME, which may be empty or relative. */
export function osHome(): string {
  try {
    return userInfo().homedir;
  } catch {
    return homedir();
  }
}

/** The shared config file, if it is a regular file of at most 1 MiB: a larger one is not a config file worth waiting for. */
export function readConfigFile(path: string): string | undefined {
  try {
    const info = statSync(path);
    return info.isFile() && info.size <= 1024 * 1024 ? readFileSync(path, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** The run's context from the variables every step has (the refresh helper has no toolkit). */
export function envRunContext(env: Env): RunContext {
  return {
    repository: env.GITHUB_REPOSITORY ?? '',
    workflow: env.GITHUB_WORKFLOW ?? '',
    action: env.GITHUB_ACTION ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    eventName: env.GITHUB_EVENT_NAME ?? '',
    baseRef: env.GITHUB_BASE_REF ?? '',
    headRef: env.GITHUB_HEAD_REF ?? '',
    runId: env.GITHUB_RUN_ID ?? '',
    job: env.GITHUB_JOB ?? '',
    triggeringActor: env.GITHUB_TRIGGERING_ACTOR ?? ''
  };
}

/** Ends the process once the log is flushed: nothing pending (a request given up on, keep-alive sockets) outlives the step. */
export function exitWhenFlushed(): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit()));
}
