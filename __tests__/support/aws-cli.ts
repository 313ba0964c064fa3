// A later workflow step that uses the real AWS CLI with only what the job hands it: the env a
// step would see, nothing from the test machine (no ~/.aws, no instance metadata, no AWS_* vars).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

// A fresh HOME has no ~/.aws; the explicit paths also defeat a default the CLI might find elsewhere.
function isolatedFiles(env: Record<string, string>, home: string): Record<string, string> {
  const files: Record<string, string> = {};
  if (env['AWS_CONFIG_FILE'] === undefined) files['AWS_CONFIG_FILE'] = join(home, '.aws-none', 'config');
  if (env['AWS_SHARED_CREDENTIALS_FILE'] === undefined) files['AWS_SHARED_CREDENTIALS_FILE'] = join(home, '.aws-none', 'credentials');
  return files;
}

// A caller-supplied HOME is test-controlled (e.g. profiles the action wrote), so its ~/.aws is used.
function cliEnv(env: Record<string, string>, given: string | undefined, home: string): Record<string, string> {
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

export function awsCli(args: string[], env: Record<string, string>, opts: { home?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const given = opts.home ?? env['HOME'];
  const home = given ?? mkdtempSync(join(tmpdir(), 'aws-assume-role-cli-'));
  const run = new Promise<CliResult>((resolve, reject) => {
    const child = spawn(awsExecutable(), args, { env: cliEnv(env, given, home), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30000);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run the AWS CLI ('aws' on PATH): ${e.message}`));
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const result: CliResult = { exitCode, stdout, stderr: Buffer.concat(err).toString('utf8') };
      if (exitCode === 0) result.json = parseJson(stdout);
      resolve(result);
    });
  });
  // Only a HOME made here is removed; the CLI may leave a cache in it.
  return given === undefined ? run.finally(() => rmSync(home, { recursive: true, force: true })) : run;
}

function asIdentity(json: unknown): CallerIdentity | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { Account, Arn, UserId } = json as Record<string, unknown>;
  if (typeof Account !== 'string' || typeof Arn !== 'string' || typeof UserId !== 'string') return undefined;
  return { Account, Arn, UserId };
}

/** `aws sts get-caller-identity` against a local endpoint, with the given step environment. */
export async function callerIdentity(
  endpointUrl: string,
  env: Record<string, string>,
  opts: { home?: string } = {}
): Promise<CliResult & { identity?: CallerIdentity }> {
  const result = await awsCli(['sts', 'get-caller-identity', '--endpoint-url', endpointUrl, '--output', 'json'], env, opts);
  const identity = asIdentity(result.json);
  return identity === undefined ? result : { ...result, identity };
}
