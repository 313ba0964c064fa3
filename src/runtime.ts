// The real network, disk and clock, without the toolkit: the step, the refresh helper and the post step
// share them; tests pass their own (see ports.ts). toolkit.ts adds the runner's log through @actions/core.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveWithSdk } from './credentials/runner-providers.js';
import { readTokenFile } from './oidc/token-file.js';
import { requestIdToken } from './oidc/token.js';
import { StepError } from './errors.js';
import { serveRequestCredentials, type RefreshServerStarter, type ServeRequest } from './export/refresh-server.js';
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

/** Whether a process exists: signal 0 checks without sending anything; EPERM means it exists, owned by someone else. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Ends the process once the log is flushed: nothing pending (a request given up on, keep-alive sockets) outlives the step. */
export function exitWhenFlushed(): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit()));
}

const READY_DEADLINE_MS = 15_000;

/**
 * Starts `<script> serve` detached, hands it the request over its stdin pipe (never argv, environment
 * or disk), and waits a bounded time for READY <port>. The server outlives this step; the post step
 * (or the runner's end, or its own lifetime limit) stops it.
 */
export function processServerStarter(node: string, script: string, watchPid: number): RefreshServerStarter {
  return {
    async start(spec, credentials) {
      const authorization = randomBytes(32).toString('base64url');
      const nonce = randomBytes(16).toString('hex');
      const request: ServeRequest = { spec, credentials: serveRequestCredentials(credentials), authorization, nonce, watchPid };
      // Loaded here: only refresh-credentials starts a process, and no other path should pay for the module.
      const { spawn } = await import('node:child_process');
      const child = spawn(node, [script, 'serve'], { detached: true, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
      const stop = (): void => {
        if (child.exitCode === null) child.kill('SIGTERM');
      };
      try {
        child.stdin.end(JSON.stringify(request));
        const port = await readyPort(child);
        return { port, pid: child.pid ?? 0, authorization, nonce, stop };
      } catch (error) {
        stop();
        throw error;
      } finally {
        // Our ends of the pipes close, so neither process waits on the other.
        child.stdout.destroy();
        child.stderr.destroy();
        child.unref();
      }
    }
  };
}

function readyPort(child: ChildProcessWithoutNullStreams): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new StepError(`refresh-credentials: the local credentials server did not start: ${why}${err.trim() ? ` (${err.trim().slice(0, 500)})` : ''}`));
    };
    const timer = setTimeout(() => fail(`no READY line within ${READY_DEADLINE_MS / 1000} s`), READY_DEADLINE_MS);
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < 2048) err += chunk.toString('utf8');
    });
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /^READY (\d{1,5})\n/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      } else if (out.length > 64 || /\n/.test(out)) fail('it answered something other than READY <port>');
    });
    child.once('error', error => fail(error.message));
    child.once('exit', code => fail(`it exited with code ${code}`));
  });
}
