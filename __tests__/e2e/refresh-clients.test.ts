// refresh-credentials' local credentials server as the other clients the issue names read it: the
// AWS CLI v2, boto3 and the Go SDK v2 (what Terraform's AWS provider uses), each from Debian's
// packages (.ci/run installs them). The CLI v1 and the JS SDK: e2e/refresh-server.test.ts.
//
// Endpoints: none of these versions reads AWS_ENDPOINT_URL(_STS) (the CLI v2 from 2.13, botocore
// from 1.31, the Go SDK v2 from its 2023 releases), so each is pointed at the STS stand-in the way
// its users would: the CLI with --endpoint-url, boto3 with endpoint_url=, the Go SDK with an
// EndpointResolver on the STS client. The credentials come from the container provider in every
// case (AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN exported by the step).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runLaterStep, type CliResult } from '../support/aws-cli.ts';
import { findLeaks } from '../support/leaks.ts';
import { registeredSecrets } from '../support/step-registry.ts';
import { processAlive } from '../../src/runtime.js';
import { laterStepEnv, serverPid } from '../support/refresh-step.ts';
import type { StepResult } from '../support/step-runner.ts';
import { ACCOUNT, role, startWorld, type World } from '../support/world.ts';

const ASSUMED = `arn:aws:sts::${ACCOUNT}:assumed-role/gha-deploy/GitHubActions`;
/** Calls per later step by the SDKs, all in one process, and by the CLI, a process each (about a second each). */
const SDK_CALLS = 20;
const CLI_CALLS = 3;
/** A later step that hangs is killed after this, and then has no exit code. */
const CALL_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function versionOf(executable: string): string {
  try {
    return execFileSync(executable, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '', HOME: tmpdir() } });
  } catch {
    return '';
  }
}

// `aws` on PATH may be pip's v1 (it is on the development machine): v2 is found by what it says it is.
// Debian's package installs /usr/bin/aws; AWS's own installer links /usr/local/bin/aws.
const AWS_V2 = [
  '/usr/bin/aws',
  '/usr/local/bin/aws',
  ...(process.env['PATH'] ?? '')
    .split(':')
    .filter(dir => dir !== '')
    .map(dir => join(dir, 'aws'))
].find(path => existsSync(path) && versionOf(path).startsWith('aws-cli/2'));

// Debian's python3 with its python3-boto3; pyenv's python3 comes first on PATH on the development machine.
const PYTHON = '/usr/bin/python3';
const HAS_BOTO3 = ((): boolean => {
  try {
    execFileSync(PYTHON, ['-I', '-c', 'import boto3'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// Debian's golang-go and golang-github-aws-aws-sdk-go-v2-dev (config and service/sts are in it),
// built in GOPATH mode: no module proxy is needed.
const GO = ['/usr/bin/go', '/usr/lib/go/bin/go'].find(existsSync);
const GOPATH = '/usr/share/gocode';
const HAS_GO_SDK = GO !== undefined && ['config', 'service/sts'].every(p => existsSync(join(GOPATH, 'src/github.com/aws/aws-sdk-go-v2', p)));

// N calls with the default session: one client, so botocore keeps the credentials it read.
const BOTO3_CALLER = `
import sys, boto3
endpoint, n = sys.argv[1], int(sys.argv[2])
sts = boto3.client("sts", endpoint_url=endpoint)
for _ in range(n):
    print(sts.get_caller_identity()["Arn"], flush=True)
`;

// The default config chain (env, shared files, container provider), as Terraform's provider starts from.
const GO_CALLER = `package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func main() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	client := sts.NewFromConfig(cfg, func(o *sts.Options) { o.EndpointResolver = sts.EndpointResolverFromURL(os.Args[1]) })
	for i := 0; i < n; i++ {
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(*out.Arn)
	}
}
`;

/** Builds the Go caller once into a temp dir; go's own build cache makes a second run quick. */
async function buildGoCaller(dir: string): Promise<string> {
  const source = join(dir, 'main.go');
  const binary = join(dir, 'caller');
  writeFileSync(source, GO_CALLER);
  const env: NodeJS.ProcessEnv = { ...process.env, GO111MODULE: 'off', GOPATH, GOFLAGS: '', CGO_ENABLED: '0' };
  // go needs a build cache: its default is under $XDG_CACHE_HOME or $HOME.
  if (!env['GOCACHE'] && !env['XDG_CACHE_HOME'] && !env['HOME']) env['GOCACHE'] = join(dir, 'cache');
  await promisify(execFile)(GO!, ['build', '-o', binary, source], { cwd: dir, env });
  return binary;
}

interface Client {
  name: string;
  /** Why its test is skipped; undefined when the tool is here. */
  missing: string | undefined;
  /** Calls in each later step. */
  calls: number;
  /** The client's calls in one later step: one process each for the CLI, n calls in one process for the SDKs. */
  laterStep(endpoint: string, env: Record<string, string>, n: number): Promise<CliResult[]>;
}

let goCaller: string | undefined;

const CLIENTS: Client[] = [
  {
    name: 'the AWS CLI v2',
    missing: AWS_V2 === undefined ? 'no AWS CLI v2 found (/usr/bin/aws, /usr/local/bin/aws, PATH): apt-get install -y awscli' : undefined,
    calls: CLI_CALLS,
    async laterStep(endpoint, env, n) {
      const results: CliResult[] = [];
      for (let i = 0; i < n; i++) {
        results.push(await runLaterStep(AWS_V2!, ['sts', 'get-caller-identity', '--endpoint-url', endpoint, '--output', 'json'], env, { timeoutMs: CALL_TIMEOUT_MS }));
      }
      return results;
    }
  },
  {
    name: 'boto3',
    missing: HAS_BOTO3 ? undefined : `${PYTHON} cannot import boto3: apt-get install -y python3-boto3`,
    calls: SDK_CALLS,
    async laterStep(endpoint, env, n) {
      return [await runLaterStep(PYTHON, ['-I', '-c', BOTO3_CALLER, endpoint, String(n)], env, { timeoutMs: CALL_TIMEOUT_MS })];
    }
  },
  {
    name: 'the Go SDK v2',
    missing: HAS_GO_SDK ? undefined : `no Go or no aws-sdk-go-v2 in ${GOPATH}: apt-get install -y golang-go golang-github-aws-aws-sdk-go-v2-dev`,
    calls: SDK_CALLS,
    async laterStep(endpoint, env, n) {
      return [await runLaterStep(goCaller!, [endpoint, String(n)], env, { timeoutMs: CALL_TIMEOUT_MS })];
    }
  }
];

/** The ARN of every call a later step's processes made, in order. */
function arnsOf(results: CliResult[]): string[] {
  return results.flatMap(r => {
    const json = r.json as { Arn?: unknown } | undefined;
    if (typeof json?.Arn === 'string') return [json.Arn]; // the CLI's JSON
    return r.stdout.split('\n').filter(line => line !== ''); // the SDK callers print one ARN a line
  });
}

let world: World;
let goDir: string | undefined;
beforeAll(async () => {
  world = await startWorld();
  if (HAS_GO_SDK) {
    goDir = mkdtempSync(join(tmpdir(), 'aws-assume-role-go-'));
    goCaller = await buildGoCaller(goDir);
  }
}, 120_000);
afterAll(async () => {
  await world.close();
  if (goDir !== undefined) rmSync(goDir, { recursive: true, force: true });
});

const later = (result: StepResult) => laterStepEnv(world, result);

/** A later step's output carries no secret: not the world's keys and tokens, nor the server's authorization token. */
function expectNoSecretsShown(results: CliResult[], step: StepResult): void {
  const secrets = [...registeredSecrets(), step.env['AWS_CONTAINER_AUTHORIZATION_TOKEN'] ?? ''];
  const shown = results.flatMap(r => findLeaks(r, secrets).filter(l => !/is never masked/.test(l)));
  expect(shown).toEqual([]);
}

async function refreshStep(): Promise<StepResult> {
  const result = await world.step({ 'role-to-assume': role('gha-deploy'), 'refresh-credentials': 'true' });
  expect({ exitCode: result.exitCode, errors: result.errors }).toEqual({ exitCode: 0, errors: [] });
  expect(result.env['AWS_CONTAINER_CREDENTIALS_FULL_URI']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/aws-assume-role-action\/credentials$/);
  expect(processAlive(serverPid(result))).toBe(true);
  return result;
}

describe.each(CLIENTS)('refresh-credentials read by $name', client => {
  if (client.missing !== undefined) {
    // jest lists a skipped test's name only with --verbose: the reason goes to stderr too.
    process.stderr.write(`refresh-clients.test.ts: ${client.name} skipped: ${client.missing}\n`);
    test.skip(`skipped: ${client.missing}`, () => undefined);
    return;
  }

  test(`${client.calls} calls in each of two later steps cost no assume and no token, each as the assumed role`, async () => {
    const result = await refreshStep();
    try {
      const [sessions, tokens] = [world.sts.sessions.length, world.oidc.issued.length];
      for (const step of [1, 2]) {
        const calls = await client.laterStep(world.sts.url, later(result), client.calls);
        expect({ step, exits: calls.map(c => c.exitCode), stderr: calls.map(c => c.stderr).filter(s => s !== '') }).toEqual({
          step,
          exits: calls.map(() => 0),
          stderr: []
        });
        expect(arnsOf(calls)).toEqual(Array<string>(client.calls).fill(ASSUMED));
        expectNoSecretsShown(calls, result);
      }
      expect({ assumes: world.sts.sessions.length - sessions, tokens: world.oidc.issued.length - tokens }).toEqual({ assumes: 0, tokens: 0 });
    } finally {
      const post = await world.post(result);
      expect(post.stdout).toMatch(/Stopped the local credentials server/);
    }
  }, 120_000);

  test("a killed server makes the next call fail within the client's own retries, naming this action, not hang", async () => {
    const result = await refreshStep();
    process.kill(serverPid(result), 'SIGKILL');
    while (processAlive(serverPid(result))) await sleep(20);
    const [call] = await client.laterStep(world.sts.url, later(result), 1);
    // Each client quotes the URL it could not reach, whose path names this action:
    // - the CLI v2 (exit 255, after 3 tries 1 s apart): `Error when retrieving credentials from
    //   container-role: Error retrieving metadata: Received error when attempting to retrieve ECS
    //   metadata: Could not connect to the endpoint URL: "http://127.0.0.1:PORT/aws-assume-role-action/credentials"`
    // - boto3: a traceback ending in botocore.exceptions.CredentialRetrievalError with the same words;
    // - the Go SDK v2 (3 STS attempts of 3 credential fetches each, with backoff: about 15 s):
    //   `operation error STS: GetCallerIdentity, exceeded maximum number of attempts, 3, failed to sign
    //   request: failed to retrieve credentials: failed to refresh cached credentials, failed to load
    //   credentials, exceeded maximum number of attempts, 3, request send failed, Get
    //   "http://127.0.0.1:PORT/aws-assume-role-action/credentials": dial tcp 127.0.0.1:PORT: connect: connection refused`.
    // A hang would be killed at CALL_TIMEOUT_MS and leave no exit code.
    expect({ exitCode: call!.exitCode, stdout: call!.stdout }).toEqual({ exitCode: expect.any(Number), stdout: '' });
    expect(call!.exitCode).not.toBe(0);
    expect(call!.stderr).toContain('aws-assume-role-action');
    expectNoSecretsShown([call!], result);
    const post = await world.post(result);
    expect(post.stdout).toMatch(/had already stopped/);
  }, 60_000);
});
