// A later workflow step with only what the job hands it: the env a step would see, nothing from the
// test machine (no ~/.aws, no instance metadata, no AWS_* vars). It is the real AWS CLI when `aws`
// is on PATH (CI installs it); on a machine without it, the same call made by a Node tool with the
// AWS SDK for JavaScript v3's default credential chain (sdk-caller-identity.ts), which reads the
// same env, profiles and credential_process, so the README's commands work on a bare machine.
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CliResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  json?: unknown;
}

export interface CallerIdentity {
  Account: string;
  Arn: string;
  UserId: string;
}

export interface LaterStepOptions {
  /** The step's HOME; without one (here or in env) a fresh, empty HOME is made and removed. */
  home?: string;
  timeoutMs?: number;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether `aws` is on PATH, found as a shell's `command -v aws` would find it. */
export const hasAwsCli: boolean = (process.env['PATH'] ?? '').split(delimiter).some(dir => dir !== '' && isExecutable(join(dir, 'aws')));

export type LaterStepClient = 'aws-cli' | 'sdk';
/** The client later steps use unless a test asks for one: the CLI wherever it is installed. */
export const laterStepClient: LaterStepClient = hasAwsCli ? 'aws-cli' : 'sdk';

/** Which client a later step is: printed once where it is not the AWS CLI. */
export const LATER_STEP_NOTICE = "AWS CLI not found on PATH: the later step uses the AWS SDK for JavaScript's default credential chain instead";

/** In the SDK step's User-Agent (`app/later-step-sdk`), so tests can tell its calls from the action's own. */
export const SDK_STEP_APP_ID = 'later-step-sdk';

/** Whether an STS call (by its User-Agent) was made by a later step, either client, rather than by the action. */
export function isLaterStepCall(userAgent: string | undefined): boolean {
  return userAgent !== undefined && (userAgent.includes('aws-cli/') || userAgent.includes(`app/${SDK_STEP_APP_ID}`));
}

// A fresh HOME has no ~/.aws; the explicit paths also defeat a default a client might find elsewhere.
function isolatedFiles(env: Record<string, string>, home: string): Record<string, string> {
  const files: Record<string, string> = {};
  if (env['AWS_CONFIG_FILE'] === undefined) files['AWS_CONFIG_FILE'] = join(home, '.aws-none', 'config');
  if (env['AWS_SHARED_CREDENTIALS_FILE'] === undefined) files['AWS_SHARED_CREDENTIALS_FILE'] = join(home, '.aws-none', 'credentials');
  return files;
}

// A caller-supplied HOME is test-controlled (e.g. profiles the action wrote), so its ~/.aws is used.
function stepEnv(env: Record<string, string>, given: string | undefined, home: string): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    AWS_PAGER: '', // CLI v2 would otherwise try to page output
    ...(given === undefined ? isolatedFiles(env, home) : {}),
    ...env,
    HOME: home,
    AWS_EC2_METADATA_DISABLED: 'true'
  };
}

let executable: string | undefined;

/**
 * `aws` as found on PATH, except that a pyenv shim is resolved once to the script it runs: the shim
 * is a shell script that works out the Python version on every call, a second per later step.
 */
export function awsExecutable(): string {
  if (executable !== undefined) return executable;
  executable = 'aws';
  try {
    const found = execFileSync('/bin/sh', ['-c', 'command -v aws'], { encoding: 'utf8' }).trim();
    if (found.includes('/shims/')) executable = execFileSync('pyenv', ['which', 'aws'], { encoding: 'utf8' }).trim() || 'aws';
  } catch {
    // Not found or no pyenv: spawning 'aws' reports it.
  }
  return executable;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Runs one later-step process (any client, e.g. refresh-clients.test.ts's) in the step's env; stdout parsed as JSON when it exits 0. */
export function runLaterStep(command: string, args: string[], env: Record<string, string>, opts: LaterStepOptions): Promise<CliResult> {
  const given = opts.home ?? env['HOME'];
  const home = given ?? mkdtempSync(join(tmpdir(), 'aws-assume-role-cli-'));
  const run = new Promise<CliResult>((resolve, reject) => {
    const child = spawn(command, args, { env: stepEnv(env, given, home), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', e => {
      clearTimeout(timer);
      reject(new Error(`cannot run the later step ('${command}'): ${e.message}`));
    });
    child.on('close', exitCode => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const result: CliResult = { exitCode, stdout, stderr: Buffer.concat(err).toString('utf8') };
      if (exitCode === 0) result.json = parseJson(stdout);
      resolve(result);
    });
  });
  // Only a HOME made here is removed; a client may leave a cache in it.
  return given === undefined ? run.finally(() => rmSync(home, { recursive: true, force: true })) : run;
}

/** The real AWS CLI (`aws` on PATH), for what only the CLI can show; callerIdentity works without it. */
export function awsCli(args: string[], env: Record<string, string>, opts: LaterStepOptions = {}): Promise<CliResult> {
  return runLaterStep(awsExecutable(), args, env, opts);
}

// Run by this same Node (Node 24 strips the types), so the step needs nothing installed beyond npm ci.
const SDK_STEP = fileURLToPath(new URL('./sdk-caller-identity.ts', import.meta.url));

function asIdentity(json: unknown): CallerIdentity | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { Account, Arn, UserId } = json as Record<string, unknown>;
  if (typeof Account !== 'string' || typeof Arn !== 'string' || typeof UserId !== 'string') return undefined;
  return { Account, Arn, UserId };
}

/**
 * `aws sts get-caller-identity [--profile NAME]` against a local endpoint, with the given step
 * environment: by the AWS CLI when it is on PATH, otherwise by the SDK's default credential chain.
 */
export async function callerIdentity(
  endpointUrl: string,
  env: Record<string, string>,
  opts: LaterStepOptions & { profile?: string; client?: LaterStepClient } = {}
): Promise<CliResult & { identity?: CallerIdentity }> {
  const { profile, client = laterStepClient, ...rest } = opts;
  const result =
    client === 'aws-cli'
      ? await awsCli(['sts', 'get-caller-identity', '--endpoint-url', endpointUrl, '--output', 'json', ...(profile === undefined ? [] : ['--profile', profile])], env, rest)
      : await runLaterStep(process.execPath, [SDK_STEP, endpointUrl, ...(profile === undefined ? [] : [profile])], env, rest);
  const identity = asIdentity(result.json);
  return identity === undefined ? result : { ...result, identity };
}
