// Proves the test-support stand-ins are faithful to the runner's rules and can fail.
import { createPublicKey, verify } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsCli, callerIdentity, hasAwsCli, type LaterStepClient } from '../support/aws-cli.ts';
import { fileCommandMap, parseFileCommands, parseWorkflowCommands } from '../support/file-commands.ts';
import { expectNoLeaks, findLeaks } from '../support/leaks.ts';
import { defaultClaims, startOidc } from '../support/oidc-server.ts';
import type { OidcServer } from '../support/oidc-server.ts';
import { baseRunnerEnv, cleanupStep, envAfter, runStep } from '../support/step-runner.ts';
import type { StepResult } from '../support/step-runner.ts';

describe('file commands (runner key/value rules)', () => {
  it('parses NAME=VALUE at the first =, keeps later = and << verbatim', () => {
    expect(parseFileCommands('A=b=c\nB=x<<y\n\nC=\n')).toEqual([
      { name: 'A', value: 'b=c' },
      { name: 'B', value: 'x<<y' },
      { name: 'C', value: '' }
    ]);
  });

  it('parses heredocs; the newline before the delimiter is not part of the value', () => {
    const text = 'KEY<<EOF\nline 1\nline=2\n\nEOF\nEMPTY<<D\nD\nLAST<<Z\nv\nZ';
    expect(fileCommandMap(text)).toEqual({ KEY: 'line 1\nline=2\n', EMPTY: '', LAST: 'v' });
  });

  it('uses << when it comes before =', () => {
    expect(fileCommandMap('X<<A=B\nv\nA=B\n')).toEqual({ X: 'v' });
  });

  it('lets user text containing the delimiter inject a variable, as the runner does', () => {
    // A writer with a fixed delimiter: MSG<<EOF, the user's text, EOF.
    const write = (userText: string): string => `MSG<<EOF\n${userText}\nEOF\n`;
    expect(parseFileCommands(write('hello\nEOF\nAWS_REGION=evil-1\nX<<EOF'))).toEqual([
      { name: 'MSG', value: 'hello' },
      { name: 'AWS_REGION', value: 'evil-1' },
      { name: 'X', value: '' }
    ]);
    // Without the trailing `X<<EOF`, the writer's own closing delimiter is left over: a processing error.
    expect(() => parseFileCommands(write('hello\nEOF\nAWS_REGION=evil-1'))).toThrow("Invalid format 'EOF'");
  });

  it('keeps \\r in names, delimiters and values (Linux runner: only \\n ends a line)', () => {
    expect(fileCommandMap('A=1\r\nB<<E\r\nv\r\nE\r\n')).toEqual({ A: '1\r', B: 'v\r' });
    expect(() => parseFileCommands('B<<E\r\nv\nE\n')).toThrow("Matching delimiter not found 'E\r'");
  });

  it('accepts an empty name in NAME=VALUE form (the runner checks the line, not the name)', () => {
    expect(parseFileCommands('=v\n')).toEqual([{ name: '', value: 'v' }]);
  });

  it("throws the runner's errors", () => {
    expect(() => parseFileCommands('K<<EOF\nvalue\n')).toThrow("Invalid value. Matching delimiter not found 'EOF'");
    expect(() => parseFileCommands('K<<EOF\nvalue')).toThrow('Invalid value. EOF marker missing new line.');
    expect(() => parseFileCommands('<<EOF\nEOF\n')).toThrow("Invalid format '<<EOF'. Name must not be empty and delimiter must not be empty");
    expect(() => parseFileCommands('K<<\n\n')).toThrow("Invalid format 'K<<'. Name must not be empty and delimiter must not be empty");
    expect(() => parseFileCommands('just text\n')).toThrow("Invalid format 'just text'");
  });
});

describe('workflow commands', () => {
  it('parses name, properties and data with the runner unescaping', () => {
    const out = 'plain\n  ::error file=a.ts,title=x%3Ay%2Cz %25::50%25 done%0Anext%250A\n::add-mask::s3cr%25t\n::notacommand\n';
    const commands = parseWorkflowCommands(out, 'stderr');
    expect(commands).toEqual([
      { name: 'error', properties: { file: 'a.ts', title: 'x:y,z %' }, data: '50% done\nnext%0A', line: 1, stream: 'stderr' },
      { name: 'add-mask', properties: {}, data: 's3cr%t', line: 2, stream: 'stderr' }
    ]);
  });

  it('ignores commands between ::stop-commands:: and the resume token', () => {
    const out = '::stop-commands::tok123\n::add-mask::hidden\n::tok123::\n::add-mask::seen\n';
    expect(parseWorkflowCommands(out, 'stdout').map(c => `${c.name}:${c.data}`)).toEqual(['stop-commands:tok123', 'add-mask:seen']);
  });
});

interface TokenResponse {
  status: number;
  body: string;
}

async function getToken(server: OidcServer, audience?: string, auth = `Bearer ${server.requestToken}`): Promise<TokenResponse> {
  const url = audience === undefined ? server.requestUrl : `${server.requestUrl}&audience=${encodeURIComponent(audience)}`;
  const res = await fetch(url, { headers: auth === '' ? {} : { authorization: auth } });
  return { status: res.status, body: await res.text() };
}

function decodePart(jwt: string, index: number): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[index] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function claimsFor(server: OidcServer, audience?: string): Promise<Record<string, unknown>> {
  const res = await getToken(server, audience);
  expect(res.status).toBe(200);
  return decodePart((JSON.parse(res.body) as { value: string }).value, 1);
}

describe('OIDC token endpoint', () => {
  let server: OidcServer;
  beforeAll(async () => {
    server = await startOidc();
  });
  afterAll(async () => server.close());
  beforeEach(() => {
    server.clearFaults();
    server.setClaims({});
    server.setLifetime(300);
  });

  it('looks like GitHub: URL with a query string, 127.0.0.1 only', () => {
    expect(server.requestUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/token\?api-version=2\.0$/);
    expect(server.issuer).toBe('https://token.actions.githubusercontent.com');
  });

  it('refuses a missing or wrong bearer with 401 JSON and counts the request', async () => {
    const before = server.requests;
    const missing = await getToken(server, 'sts.amazonaws.com', '');
    const wrong = await getToken(server, 'sts.amazonaws.com', 'Bearer nope');
    expect([missing.status, wrong.status]).toEqual([401, 401]);
    expect(JSON.parse(wrong.body)).toHaveProperty('message');
    expect(server.requests).toBe(before + 2);
    expect((await getToken(server, 'x', `bearer ${server.requestToken}`)).status).toBe(200);
  });

  it('puts the audience in aud, defaulting to the owner URL, with GitHub claims', async () => {
    const claims = await claimsFor(server, 'sts.amazonaws.com');
    expect(claims).toMatchObject({ aud: 'sts.amazonaws.com', iss: server.issuer, repository: 'octo-org/octo-repo', sub: 'repo:octo-org/octo-repo:ref:refs/heads/main' });
    expect(claims).not.toHaveProperty('environment');
    expect(typeof claims['jti']).toBe('string');
    expect(Number(claims['exp']) - Number(claims['iat'])).toBe(300);
    expect(Number(claims['nbf'])).toBeLessThanOrEqual(Number(claims['iat']));
    expect((await claimsFor(server))['aud']).toBe('https://github.com/octo-org');
    expect(server.issued.at(-1)?.audience).toBeUndefined();
  });

  it('derives sub for environment, pull_request, branch and tag; explicit sub wins', async () => {
    const cases: Array<[Record<string, string | undefined>, string]> = [
      [{ environment: 'Production:V1', event_name: 'pull_request' }, 'repo:octo-org/octo-repo:environment:Production%3AV1'],
      [{ event_name: 'pull_request', ref: 'refs/pull/7/merge' }, 'repo:octo-org/octo-repo:pull_request'],
      [{ ref: 'refs/heads/dev' }, 'repo:octo-org/octo-repo:ref:refs/heads/dev'],
      [{ ref: 'refs/tags/v1.2.0', ref_type: 'tag' }, 'repo:octo-org/octo-repo:ref:refs/tags/v1.2.0'],
      [{ sub: 'repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main' }, 'repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main']
    ];
    for (const [overrides, sub] of cases) {
      server.setClaims(overrides);
      expect((await claimsFor(server, 'sts.amazonaws.com'))['sub']).toBe(sub);
    }
    server.setClaims({ repository_visibility: undefined });
    expect(await claimsFor(server)).not.toHaveProperty('repository_visibility');
  });

  it('issues already-expired tokens with a negative lifetime', async () => {
    server.setLifetime(-60);
    const claims = await claimsFor(server, 'sts.amazonaws.com');
    expect(Number(claims['exp'])).toBeLessThan(Date.now() / 1000);
  });

  it('applies faults in order, then recovers', async () => {
    server.addFault({ kind: 'status', status: 503, times: 2 });
    server.addFault({ kind: 'status', status: 500, times: 1, body: 'boom' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await getToken(server, 'a')).status);
    expect(statuses).toEqual([503, 503, 500, 200]);
    server.addFault({ kind: 'drop', times: 1 });
    await expect(getToken(server, 'a')).rejects.toThrow();
    server.addFault({ kind: 'delay', ms: 300, times: 1 });
    const started = Date.now();
    expect((await getToken(server, 'a')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('signs RS256 tokens that verify against its JWKS, and not after tampering', async () => {
    const res = await getToken(server, 'sts.amazonaws.com');
    const jwt = (JSON.parse(res.body) as { value: string }).value;
    const header = decodePart(jwt, 0);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(typeof header['x5t']).toBe('string');
    const jwk = server.jwks.keys.find(k => k['kid'] === header['kid']);
    expect(jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    const key = createPublicKey({ key: jwk ?? {}, format: 'jwk' });
    const [h = '', p = '', s = ''] = jwt.split('.');
    expect(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))).toBe(true);
    const forged = Buffer.from(JSON.stringify({ ...decodePart(jwt, 1), sub: 'repo:evil/repo:ref:refs/heads/main' })).toString('base64url');
    expect(verify('sha256', Buffer.from(`${h}.${forged}`), key, Buffer.from(s, 'base64url'))).toBe(false);
    expect(server.issued.at(-1)?.token).toBe(jwt);
  });
});

const STEP_SCRIPT = `
import { appendFileSync } from 'node:fs';
const secret = 'AKIA' + 'SECRETVALUE1234';
const role = process.env['INPUT_ROLE-TO-ASSUME'];
appendFileSync(process.env.GITHUB_ENV, 'AWS_REGION=eu-west-1\\nROLE=' + role + '\\nMULTI<<ghadelimiter_1\\na\\nb=c\\nghadelimiter_1\\nNODE_OPTIONS=--inspect\\n');
appendFileSync(process.env.GITHUB_OUTPUT, 'aws-account-id<<D\\n123456789012\\nD\\nstate-seen=' + process.env.STATE_saved + '\\n');
appendFileSync(process.env.GITHUB_STATE, 'isPost=true\\n');
appendFileSync(process.env.GITHUB_STEP_SUMMARY, '### done\\n');
console.log('::add-mask::' + secret);
console.log('leaked-parent-var=' + (process.env.HARNESS_PARENT_ONLY ?? 'absent'));
console.log('node-options=' + (process.env.NODE_OPTIONS ?? 'absent'));
console.log('cwd=' + process.cwd() + ' workspace=' + process.env.GITHUB_WORKSPACE + ' plain-input=' + process.env.INPUT_AUDIENCE + ' spaced=' + process.env['INPUT_MY_INPUT']);
process.stderr.write('::error title=STS%3A AssumeRole::Not authorized%0Aline 2\\n');
process.exitCode = Number(process.env.EXIT_WITH ?? '0');
`;

const scriptDirs: string[] = [];
afterAll(() => scriptDirs.forEach(dir => rmSync(dir, { recursive: true, force: true })));

function writeScript(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'harness-script-'));
  scriptDirs.push(dir);
  const file = join(dir, 'step.mjs');
  writeFileSync(file, body);
  return file;
}

describe('runStep', () => {
  const results: StepResult[] = [];
  afterAll(() => results.forEach(cleanupStep));
  async function run(options: Parameters<typeof runStep>[0]): Promise<StepResult> {
    const result = await runStep(options);
    results.push(result);
    return result;
  }

  it('runs a step like the runner: inputs, state, fresh env, parsed files and commands', async () => {
    process.env['HARNESS_PARENT_ONLY'] = 'should-not-leak';
    const result = await run({
      entry: writeScript(STEP_SCRIPT),
      inputs: { 'role-to-assume': 'arn:aws:iam::123456789012:role/ci', audience: 'sts.amazonaws.com', 'my input': 'x' },
      state: { saved: 'from-main' },
      env: { EXIT_WITH: '3' }
    });
    delete process.env['HARNESS_PARENT_ONLY'];
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toContain('leaked-parent-var=absent');
    expect(result.stdout).toContain('node-options=absent');
    expect(result.stdout).toContain(`cwd=${result.workspace} workspace=${result.workspace} plain-input=sts.amazonaws.com spaced=x`);
    expect(result.env).toEqual({ AWS_REGION: 'eu-west-1', ROLE: 'arn:aws:iam::123456789012:role/ci', MULTI: 'a\nb=c', NODE_OPTIONS: '--inspect' });
    expect(result.outputs).toEqual({ 'aws-account-id': '123456789012', 'state-seen': 'from-main' });
    expect(result.state).toEqual({ isPost: 'true' });
    expect(result.summary).toBe('### done\n');
    expect(result.masks).toEqual(['AKIASECRETVALUE1234']);
    expect(result.errors).toEqual(['Not authorized\nline 2']);
    expect(result.commands.find(c => c.name === 'error')).toMatchObject({ stream: 'stderr', properties: { title: 'STS: AssumeRole' } });
    expect(result.fileCommandErrors).toEqual([]);
    expect(result.runnerTemp.startsWith(tmpdir())).toBe(true);
  });

  it('chains steps through GITHUB_ENV, refusing NODE_OPTIONS like the runner', async () => {
    const first = await run({ entry: writeScript(STEP_SCRIPT), inputs: { 'role-to-assume': 'r1' } });
    expect(first.exitCode).toBe(0);
    const env = envAfter(first);
    expect(env).toEqual({ AWS_REGION: 'eu-west-1', ROLE: 'r1', MULTI: 'a\nb=c' });
    const second = await run({ entry: writeScript('console.log("region=" + process.env.AWS_REGION + " role=" + process.env.ROLE);'), env });
    expect(second.stdout).toBe('region=eu-west-1 role=r1\n');
  });

  it('reports a file-command processing error as the runner would', async () => {
    const result = await run({ entry: writeScript("import { appendFileSync } from 'node:fs'; appendFileSync(process.env.GITHUB_OUTPUT, 'x<<EOF\\nno end\\n');") });
    expect(result.exitCode).toBe(0);
    expect(result.fileCommandErrors).toEqual(["Unable to process file command 'output' successfully. Invalid value. Matching delimiter not found 'EOF'"]);
  });

  it('kills a step that runs past its timeout', async () => {
    const result = await run({ entry: writeScript('setInterval(() => {}, 1000);'), timeoutMs: 300 });
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true });
  });
});

describe('findLeaks', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

  it('passes when the secret only appears in its own add-mask line', () => {
    const result = { stdout: `::add-mask::${secret}\nAssumed role ok\n`, stderr: '' };
    expect(findLeaks(result, [secret, 'ab', ''])).toEqual([]);
    expect(() => expectNoLeaks(result, [secret])).not.toThrow();
  });

  it('flags a secret that is never masked', () => {
    const found = findLeaks({ stdout: `key is ${secret}\n`, stderr: '' }, [secret]);
    expect(found.some(f => f.includes('never masked'))).toBe(true);
    expect(found.join('\n')).not.toContain(secret);
  });

  it('flags a secret printed before its mask', () => {
    const found = findLeaks({ stdout: `debug ${secret}\n::add-mask::${secret}\n`, stderr: '' }, [secret]);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('BEFORE');
  });

  it('flags encoded leaks: base64 inside a larger blob, URI and JSON escapes, escaped command data', () => {
    const tricky = 'p@ss"w%rd/\\Zq9';
    const cases: Array<[string, string]> = [
      [secret, `auth: Basic ${Buffer.from(`user:${secret}:tail`).toString('base64')}`],
      [secret, `GET /?key=${encodeURIComponent(secret)}`],
      [tricky, `body ${JSON.stringify({ password: tricky })}`],
      [tricky, `::error::failed for ${tricky.replace(/%/g, '%25')}`]
    ];
    for (const [value, line] of cases) {
      expect(line).not.toContain(value);
      const found = findLeaks({ stdout: `::add-mask::${value.replace(/%/g, '%25')}\n${line}\n`, stderr: '' }, [value]);
      expect(found).toEqual([expect.stringContaining('after its ::add-mask::')]);
    }
  });

  it('throws with redacted findings, never the secret', () => {
    expect(() => expectNoLeaks({ stdout: '', stderr: `oops ${secret}\n` }, [secret])).toThrow(/wJal…/);
    try {
      expectNoLeaks({ stdout: '', stderr: `oops ${secret}\n` }, [secret]);
    } catch (e) {
      expect((e as Error).message).not.toContain(secret);
    }
  });
});

describe('later step (AWS CLI, or the SDK where the CLI is missing)', () => {
  // CLI-specific: there is no `aws` to ask on a machine without it.
  (hasAwsCli ? it : it.skip)('runs aws --version from PATH (needs the AWS CLI on PATH; skipped without it)', async () => {
    const result = await awsCli(['--version'], {});
    expect(result.exitCode).toBe(0);
    expect(result.stdout + result.stderr).toMatch(/aws-cli\/\d+/);
  });

  /** A stub STS that answers every request with one identity and records the Authorization headers. */
  async function withStubSts(body: (url: string, seen: string[]) => Promise<void>): Promise<void> {
    const seen: string[] = [];
    const sts = createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
          '<Arn>arn:aws:sts::123456789012:assumed-role/ci/gha</Arn><UserId>AROAEXAMPLE:gha</UserId><Account>123456789012</Account>' +
          '</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>'
      );
    });
    await new Promise<void>(resolve => sts.listen(0, '127.0.0.1', resolve));
    try {
      await body(`http://127.0.0.1:${(sts.address() as AddressInfo).port}`, seen);
    } finally {
      sts.close();
    }
  }

  // The SDK client is tested wherever the CLI is installed too, so CI still covers the bare-machine path.
  const clients: LaterStepClient[] = hasAwsCli ? ['aws-cli', 'sdk'] : ['sdk'];

  it.each(clients)('%s: calls a local endpoint with only the given credentials, nothing ambient', async client => {
    await withStubSts(async (url, seen) => {
      try {
        const creds = { AWS_ACCESS_KEY_ID: 'ASIAHARNESSEXAMPLE01', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token', AWS_DEFAULT_REGION: 'us-east-1' };
        const ok = await callerIdentity(url, creds, { client });
        expect(ok.identity).toEqual({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/ci/gha', UserId: 'AROAEXAMPLE:gha' });
        expect(seen[0]).toContain('Credential=ASIAHARNESSEXAMPLE01/');
        process.env['AWS_ACCESS_KEY_ID'] = 'AKIAAMBIENTSHOULDNOT';
        process.env['AWS_SECRET_ACCESS_KEY'] = 'ambient';
        const none = await callerIdentity(url, { AWS_DEFAULT_REGION: 'us-east-1' }, { client });
        expect(none.exitCode).not.toBe(0);
        expect(none.identity).toBeUndefined();
        expect(seen).toHaveLength(1);
      } finally {
        delete process.env['AWS_ACCESS_KEY_ID'];
        delete process.env['AWS_SECRET_ACCESS_KEY'];
      }
    });
  });

  it.each(clients)('%s: a named profile in HOME/.aws/config gets its keys from credential_process', async client => {
    const home = mkdtempSync(join(tmpdir(), 'later-step-home-'));
    try {
      mkdirSync(join(home, '.aws'));
      const helper = join(home, 'creds.sh');
      writeFileSync(helper, `#!/bin/sh\necho '{"Version": 1, "AccessKeyId": "ASIAPROCESSEXAMPLE01", "SecretAccessKey": "s", "SessionToken": "t"}'\n`);
      chmodSync(helper, 0o700);
      writeFileSync(join(home, '.aws', 'config'), `[profile proc]\ncredential_process = ${helper}\nregion = eu-west-1\n`);
      await withStubSts(async (url, seen) => {
        const result = await callerIdentity(url, { HOME: home }, { home, profile: 'proc', client });
        expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({ exitCode: 0, stderr: '' });
        expect(seen[0]).toContain('Credential=ASIAPROCESSEXAMPLE01/');
        expect(seen[0]).toContain('/eu-west-1/sts/aws4_request'); // the profile's region, as both clients read it
      });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

it('keeps the runner context and the default token claims in step', () => {
  const env = baseRunnerEnv();
  const claims = defaultClaims();
  expect(env['GITHUB_SHA']).toMatch(/^[0-9a-f]{40}$/);
  expect([env['GITHUB_SHA'], env['GITHUB_REPOSITORY'], env['GITHUB_REF'], env['GITHUB_RUN_ID']]).toEqual([claims['sha'], claims['repository'], claims['ref'], claims['run_id']]);
});
