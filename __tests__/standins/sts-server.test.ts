// Proves the local STS stand-in is faithful: real clients (JS SDK v3 and AWS CLI) talk to it
// unmodified, and it answers with real STS codes, statuses and texts (sts.md).
import { execFile, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { awsExecutable, hasAwsCli } from '../support/aws-cli.ts';
import { startSts } from '../support/sts-server.ts';
import type { IamRole, IamUser, IssuedSession, StsOptions, StsServer } from '../support/sts-server.ts';
import { signRequest } from '../support/sigv4.ts';
import { signJwt } from '../support/jwt-verify.ts';
import { evaluateConditions, evaluatePolicy } from '../support/trust-policy.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures

const ACCT = '111122223333';
const OTHER = '444455556666';
const GH = 'token.actions.githubusercontent.com';
const PROVIDER_ARN = `arn:aws:iam::${ACCT}:oidc-provider/${GH}`;
const SIGNATURE_TEXT =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function user(name: string, key: string, account = ACCT, policy?: IamUser['policy']): IamUser {
  const u: IamUser = { arn: `arn:aws:iam::${account}:user/${name}`, accessKeyId: key, secretAccessKey: `${name}/secret+Key0123456789abcdefghijklmnop`.slice(0, 40) };
  if (policy) u.policy = policy;
  return u;
}

const allowAssume = (resource: string, actions = ['sts:AssumeRole']): IamUser['policy'] => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }]
});

const CI = user('ci', 'AKIACIUSER0000000001');
const DEV = user('dev', 'AKIADEVUSER000000001', ACCT, allowAssume(`arn:aws:iam::${ACCT}:role/acct-*`));
const NOPOL = user('nopol', 'AKIANOPOLICY00000001');
const PARTNER = user('partner', 'AKIAPARTNER000000001', OTHER, allowAssume(`arn:aws:iam::${ACCT}:role/cross*`, ['sts:AssumeRole', 'sts:TagSession']));
const PARTNER2 = user('partner2', 'AKIAPARTNER200000001', OTHER);

function role(
  name: string,
  principal: Record<string, string | string[]>,
  extra: Partial<IamRole> = {},
  condition?: Record<string, Record<string, string | string[]>>,
  actions: string[] = ['sts:AssumeRole']
): IamRole {
  const statement: IamRole['trustPolicy']['Statement'][number] = { Effect: 'Allow', Principal: principal, Action: actions };
  if (condition) statement.Condition = condition;
  return { arn: `arn:aws:iam::${ACCT}:role/${name}`, trustPolicy: { Version: '2012-10-17', Statement: [statement] }, ...extra };
}

const ROLES: IamRole[] = [
  role('ci/deploy', { AWS: CI.arn }, { policy: allowAssume(`arn:aws:iam::${ACCT}:role/chain-*`, ['sts:AssumeRole', 'sts:TagSession']) }, undefined, ['sts:AssumeRole', 'sts:TagSession']),
  role('notag', { AWS: CI.arn }),
  role('acct-trust', { AWS: ACCT }),
  role('cross', { AWS: `arn:aws:iam::${OTHER}:root` }, {}, undefined, ['sts:AssumeRole', 'sts:TagSession']),
  role('cross-exact', { AWS: PARTNER2.arn }),
  role('external', { AWS: CI.arn }, {}, { StringEquals: { 'sts:ExternalId': 'ext-1234' } }),
  role('chain-target', { AWS: `arn:aws:iam::${ACCT}:role/ci/deploy` }, { maxSessionDuration: 43200 }, undefined, ['sts:AssumeRole', 'sts:TagSession']),
  role('long', { AWS: CI.arn }, { maxSessionDuration: 7200 }),
  {
    arn: `arn:aws:iam::${ACCT}:role/denied-session`,
    trustPolicy: {
      Statement: [
        { Effect: 'Allow', Principal: { AWS: CI.arn }, Action: 'sts:AssumeRole' },
        { Effect: 'Deny', Principal: '*', Action: 'sts:*', Condition: { StringLike: { 'sts:RoleSessionName': 'blocked-*' } } }
      ]
    }
  },
  role(
    'gha',
    { Federated: PROVIDER_ARN },
    {},
    {
      StringEquals: { [`${GH}:aud`]: 'sts.amazonaws.com' },
      StringLike: { [`${GH}:sub`]: 'repo:my-org/my-repo:ref:refs/heads/main', [`${GH}:repository`]: 'my-org/*' }
    },
    ['sts:AssumeRoleWithWebIdentity']
  )
];

const roleArn = (name: string): string => `arn:aws:iam::${ACCT}:role/${name}`;

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const JWK: JsonWebKey = { ...publicKey.export({ format: 'jwk' }), kid: 'gh-key-1', alg: 'RS256', use: 'sig' };

function baseOptions(): StsOptions {
  return {
    users: [CI, DEV, NOPOL, PARTNER, PARTNER2],
    roles: ROLES,
    oidcProviders: [{ url: GH, account: ACCT, clientIds: ['sts.amazonaws.com'], jwks: { keys: [JWK] } }]
  };
}

function githubToken(overrides: Record<string, unknown> = {}, key: KeyObject = privateKey, kid = 'gh-key-1'): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: `https://${GH}`,
    aud: 'sts.amazonaws.com',
    sub: 'repo:my-org/my-repo:ref:refs/heads/main',
    repository: 'my-org/my-repo',
    ref: 'refs/heads/main',
    actor: 'octocat',
    jti: 'j1',
    iat: now,
    nbf: now - 600,
    exp: now + 300,
    ...overrides
  };
  return signJwt(claims, key, kid);
}

// ---------------------------------------------------------------------------------------------
// Helpers

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const keysOf = (u: IamUser): Creds => ({ accessKeyId: u.accessKeyId, secretAccessKey: u.secretAccessKey });
const sessionCreds = (s: IssuedSession): Creds => ({ accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken });

function client(server: StsServer, credentials?: Creds, maxAttempts = 1, region = 'us-east-1'): STSClient {
  const anonymous = async (): Promise<never> => {
    throw new Error('no credentials in this test');
  };
  return new STSClient({ endpoint: server.url, region, maxAttempts, credentials: credentials ?? anonymous });
}

interface SdkFailure {
  name: string;
  status: number | undefined;
  message: string;
}

async function failure(p: Promise<unknown>): Promise<SdkFailure> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  throw new Error('expected the call to fail');
}

async function assume(server: StsServer, creds: Creds, input: Partial<AssumeRoleCommandInput> & { RoleArn: string }): Promise<IssuedSession> {
  const out = await client(server, creds).send(new AssumeRoleCommand({ RoleSessionName: 'test-session', ...input }));
  const s = server.sessions.find(x => x.accessKeyId === out.Credentials?.AccessKeyId);
  if (!s) throw new Error('issued credentials not recorded');
  return s;
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Plain node:http (no keep-alive), so tests control every header including Host. */
function send(url: URL, method: string, headers: Record<string, string>, body = ''): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, res => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

function formBody(params: Record<string, string>): string {
  return new URLSearchParams({ Version: '2011-06-15', ...params }).toString();
}

/** A request signed by our own signer, with knobs real SDKs do not expose. */
function signedPost(server: StsServer, creds: Creds, params: Record<string, string>, opts: { date?: Date; region?: string; body?: string } = {}): Promise<RawResponse> {
  const body = formBody(params);
  const input = { method: 'POST', url: new URL(`${server.url}/`), headers: { ...FORM }, body, ...creds, region: opts.region ?? 'us-east-1' };
  const { headers } = signRequest(opts.date ? { ...input, date: opts.date } : input);
  return send(new URL(`${server.url}/`), 'POST', headers, opts.body ?? body);
}

function xmlCode(body: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
}

const run = (file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise(resolve => {
    // Async on purpose: a sync child would block this event loop, which also runs the server.
    execFile(file, args, { env, timeout: 60000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });

let cliHome = '';

// These tests check the stand-in against botocore itself, so they need it; without it they are
// skipped by name (the JS SDK tests still run). The CLI v2 bundles a botocore python3 cannot import.
const withCli = hasAwsCli ? it : it.skip;
const hasBotocore = spawnSync('python3', ['-c', 'import botocore'], { stdio: 'ignore' }).status === 0;
const withBotocore = hasBotocore ? it : it.skip;

/** Runs the AWS CLI with nothing ambient: fresh HOME, empty config/credentials, no IMDS. */
function aws(server: StsServer, creds: Creds, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: cliHome,
    AWS_CONFIG_FILE: join(cliHome, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(cliHome, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey
  };
  if (creds.sessionToken !== undefined) env.AWS_SESSION_TOKEN = creds.sessionToken;
  return run(awsExecutable(), [...args, '--endpoint-url', server.url, '--output', 'json'], env);
}

// ---------------------------------------------------------------------------------------------

let server: StsServer;

beforeAll(async () => {
  cliHome = mkdtempSync(join(tmpdir(), 'sts-standin-cli-'));
  writeFileSync(join(cliHome, 'config'), '');
  writeFileSync(join(cliHome, 'credentials'), '');
  server = await startSts(baseOptions());
});

afterAll(async () => {
  await server.close();
  rmSync(cliHome, { recursive: true, force: true });
});

afterEach(() => server.clearFaults());

describe('GetCallerIdentity and SigV4', () => {
  it('answers an IAM user signed by the JS SDK v3, and records the call', async () => {
    const out = await client(server, keysOf(CI)).send(new GetCallerIdentityCommand({}));
    expect(out.Arn).toBe(CI.arn);
    expect(out.Account).toBe(ACCT);
    expect(out.UserId).toMatch(/^AIDA[A-Z2-7]{16}$/);
    const again = await client(server, keysOf(CI)).send(new GetCallerIdentityCommand({}));
    expect(again.UserId).toBe(out.UserId); // stable per user
    const call = server.calls.at(-1);
    expect(call).toMatchObject({ action: 'GetCallerIdentity', status: 200, accessKeyId: CI.accessKeyId, callerArn: CI.arn });
    expect(call?.userAgent).toMatch(/aws-sdk-js/);
  });

  withCli('answers the AWS CLI (botocore signer), with long-term and with session credentials (needs the AWS CLI on PATH; skipped without it)', async () => {
    const plain = await aws(server, keysOf(CI), ['sts', 'get-caller-identity']);
    expect(plain.stderr).toBe('');
    expect(JSON.parse(plain.stdout)).toMatchObject({ Arn: CI.arn, Account: ACCT });
    expect(server.calls.at(-1)?.userAgent).toMatch(/aws-cli\//);

    const session = await assume(server, keysOf(CI), { RoleArn: roleArn('ci/deploy'), RoleSessionName: 'cli-session' });
    const viaSession = await aws(server, sessionCreds(session), ['sts', 'get-caller-identity']);
    expect(JSON.parse(viaSession.stdout)).toMatchObject({ Arn: `arn:aws:sts::${ACCT}:assumed-role/deploy/cli-session` });
  });

  withCli('lets the AWS CLI assume a role with tags (botocore list encoding) (needs the AWS CLI on PATH; skipped without it)', async () => {
    const r = await aws(server, keysOf(CI), [
      'sts',
      'assume-role',
      '--role-arn',
      roleArn('ci/deploy'),
      '--role-session-name',
      'cli@tags',
      '--tags',
      'Key=Repo,Value=my-org/my-repo',
      'Key=Run Id,Value=12 34',
      '--transitive-tag-keys',
      'Repo'
    ]);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { Credentials: { AccessKeyId: string } };
    const s = server.sessions.find(x => x.accessKeyId === out.Credentials.AccessKeyId);
    expect(s?.tags).toEqual({ Repo: 'my-org/my-repo', 'Run Id': '12 34' });
    expect(s?.transitiveTagKeys).toEqual(['Repo']);
  });

  withBotocore('canonicalises like botocore: inner header spaces collapsed, query re-encoded (needs python3 with botocore; skipped without it)', async () => {
    // botocore (shipped with the CLI) as an independent signer; ours would agree with itself anyway.
    const script = [
      'import json, sys',
      'from botocore.auth import SigV4Auth',
      'from botocore.awsrequest import AWSRequest',
      'from botocore.credentials import Credentials',
      'from urllib.parse import quote',
      'a = json.loads(sys.argv[1])',
      // botocore signs the query as sent, so build it RFC 3986-encoded the way its serializers do.
      "url = a['base'] + '/?Extra=' + quote(a['extra'], safe='-_.~') + '&Z=1&A='",
      "r = AWSRequest(method='POST', url=url, data=a['body'], headers=a['headers'])",
      "SigV4Auth(Credentials(a['ak'], a['sk']), 'sts', 'us-east-1').add_auth(r)",
      "print(json.dumps({'url': url, 'headers': dict(r.headers.items())}))"
    ].join('\n');
    const body = formBody({ Action: 'GetCallerIdentity' });
    const arg = JSON.stringify({
      base: server.url,
      extra: "a b/c~*'()!é",
      body,
      ak: CI.accessKeyId,
      sk: CI.secretAccessKey,
      headers: { ...FORM, 'X-Custom': 'a   b \t c' }
    });
    const signed = await run('python3', ['-c', script, arg], process.env);
    expect(signed.stderr).toBe('');
    const { url, headers } = JSON.parse(signed.stdout) as { url: string; headers: Record<string, string> };
    const res = await send(new URL(url), 'POST', headers, body);
    expect([res.status, res.body]).toEqual([200, expect.stringContaining(`<Arn>${CI.arn}</Arn>`)]);
  });

  it('rejects a wrong secret with SignatureDoesNotMatch, from the JS SDK and (where installed) the AWS CLI', async () => {
    const bad = { accessKeyId: CI.accessKeyId, secretAccessKey: 'x'.repeat(40) };
    expect(await failure(client(server, bad).send(new GetCallerIdentityCommand({})))).toEqual({
      name: 'SignatureDoesNotMatch',
      status: 403,
      message: SIGNATURE_TEXT
    });
    if (hasAwsCli) {
      const cli = await aws(server, bad, ['sts', 'get-caller-identity']);
      expect(cli.code).not.toBe(0);
      expect(cli.stderr).toContain('(SignatureDoesNotMatch)');
    }
    expect(server.calls.at(-1)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch', accessKeyId: CI.accessKeyId });
    expect(server.calls.at(-1)?.callerArn).toBeUndefined();
  });

  it('rejects an unknown key id with InvalidClientTokenId', async () => {
    const unknown = { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: CI.secretAccessKey };
    expect(await failure(client(server, unknown).send(new GetCallerIdentityCommand({})))).toEqual({
      name: 'InvalidClientTokenId',
      status: 403,
      message: 'The security token included in the request is invalid.'
    });
    // A long-term key presented with a session token: the token cannot belong to it.
    const stray = { ...keysOf(CI), sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE' };
    expect((await failure(client(server, stray).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
  });

  it('rejects a session key without (or with a wrong) session token as InvalidClientTokenId', async () => {
    const s = await assume(server, keysOf(CI), { RoleArn: roleArn('ci/deploy') });
    const noToken = { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey };
    expect((await failure(client(server, noToken).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    const wrong = { ...noToken, sessionToken: `${s.sessionToken.slice(0, -4)}AAAA` };
    expect((await failure(client(server, wrong).send(new GetCallerIdentityCommand({})))).name).toBe('InvalidClientTokenId');
    const withToken = await client(server, sessionCreds(s)).send(new GetCallerIdentityCommand({}));
    expect(withToken.Arn).toBe(s.assumedRoleArn);
  });

  it('answers unsigned and malformed requests like STS', async () => {
    const unsigned = await send(new URL(`${server.url}/`), 'POST', FORM, formBody({ Action: 'GetCallerIdentity' }));
    expect(unsigned.status).toBe(403);
    expect(xmlCode(unsigned.body)).toBe('MissingAuthenticationToken');
    const malformed = await send(
      new URL(`${server.url}/`),
      'POST',
      { ...FORM, authorization: `AWS4-HMAC-SHA256 Credential=${CI.accessKeyId}/20260101/us-east-1/sts/aws4_request` },
      formBody({ Action: 'GetCallerIdentity' })
    );
    expect(malformed.status).toBe(400);
    expect(xmlCode(malformed.body)).toBe('IncompleteSignature');
    expect(malformed.body).toContain("Authorization header requires 'Signature' parameter.");
  });

  it('enforces the clock-skew window with the real texts', async () => {
    const past = await signedPost(server, keysOf(CI), { Action: 'GetCallerIdentity' }, { date: new Date(Date.now() - 20 * 60_000) });
    expect(past.status).toBe(403);
    expect(xmlCode(past.body)).toBe('SignatureDoesNotMatch');
    expect(past.body).toMatch(/Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)/);
    const future = await signedPost(server, keysOf(CI), { Action: 'GetCallerIdentity' }, { date: new Date(Date.now() + 20 * 60_000) });
    expect(future.body).toMatch(/Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)/);
    const slight = await signedPost(server, keysOf(CI), { Action: 'GetCallerIdentity' }, { date: new Date(Date.now() - 10 * 60_000) });
    expect(slight.status).toBe(200);
  });

  it('keeps its own clock (clockOffsetSeconds): signatures are checked on it and every answer carries it in Date', async () => {
    const behind = await startSts({ ...baseOptions(), clockOffsetSeconds: -1200 });
    try {
      const refused = await signedPost(behind, keysOf(CI), { Action: 'GetCallerIdentity' });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatch(/Signature not yet current/);
      const stsTime = Date.parse(String(refused.headers.date));
      expect(Math.abs(stsTime - (Date.now() - 1_200_000))).toBeLessThan(5_000);
      const onItsClock = await signedPost(behind, keysOf(CI), { Action: 'GetCallerIdentity' }, { date: new Date(stsTime) });
      expect(onItsClock.status).toBe(200);
      expect(Math.abs(Date.parse(String(onItsClock.headers.date)) - stsTime)).toBeLessThan(5_000);
    } finally {
      await behind.close();
    }
  });

  it('rejects a scope for another region, also when the SDK signs it', async () => {
    const raw = await signedPost(server, keysOf(CI), { Action: 'GetCallerIdentity' }, { region: 'eu-west-1' });
    expect(raw.status).toBe(403);
    expect(raw.body).toContain('Credential should be scoped to a valid region.');
    const sdk = await failure(client(server, keysOf(CI), 1, 'eu-west-1').send(new GetCallerIdentityCommand({})));
    expect(sdk).toMatchObject({ name: 'SignatureDoesNotMatch', message: 'Credential should be scoped to a valid region.' });
  });

  it('hashes the raw body: a body swapped after signing fails', async () => {
    const ok = await signedPost(server, keysOf(CI), { Action: 'GetCallerIdentity' });
    expect(ok.status).toBe(200);
    const swapped = await signedPost(server, keysOf(CI), { Action: 'GetCallerIdentity' }, { body: formBody({ Action: 'GetCallerIdentity', X: '1' }) });
    expect(swapped.status).toBe(403);
    expect(xmlCode(swapped.body)).toBe('SignatureDoesNotMatch');
  });

  it('accepts a presigned GetCallerIdentity URL and rejects a tampered one', async () => {
    const url = new URL(`${server.url}/?Action=GetCallerIdentity&Version=2011-06-15`);
    const signed = signRequest({ method: 'GET', url, headers: {}, body: '', ...keysOf(CI), region: 'us-east-1', presignExpiresSeconds: 60 });
    const ok = await send(signed.url, 'GET', { host: signed.url.host });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain(`<Arn>${CI.arn}</Arn>`);
    signed.url.searchParams.set('X-Amz-Expires', '61');
    const tampered = await send(signed.url, 'GET', { host: signed.url.host });
    expect(xmlCode(tampered.body)).toBe('SignatureDoesNotMatch');
  });

  it('speaks the documented XML shapes and headers', async () => {
    const res = await signedPost(server, keysOf(CI), { Action: 'GetCallerIdentity' });
    expect(res.headers['content-type']).toBe('text/xml');
    const id = res.headers['x-amzn-requestid'];
    expect(res.body).toMatch(/^<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\n {2}<GetCallerIdentityResult>\n/);
    expect(res.body).toContain(`<ResponseMetadata>\n    <RequestId>${String(id)}</RequestId>`);
    const invalid = await signedPost(server, keysOf(CI), { Action: 'GetSomething' });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatch(/<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\n {2}<Error>\n {4}<Type>Sender<\/Type>\n {4}<Code>InvalidAction<\/Code>/);
    expect(invalid.body).toContain('<RequestId>');
  });
});

describe('AssumeRole', () => {
  it('issues credentials shaped like real ones when the trust policy names the user', async () => {
    const before = Date.now();
    const out = await client(server, keysOf(CI)).send(new AssumeRoleCommand({ RoleArn: roleArn('ci/deploy'), RoleSessionName: 'gh-123', DurationSeconds: 900 }));
    const c = out.Credentials;
    expect(c?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(c?.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect((c?.SessionToken ?? '').length).toBeGreaterThanOrEqual(300);
    const ttl = (c?.Expiration?.getTime() ?? 0) - before;
    expect(ttl).toBeGreaterThan(898_000);
    expect(ttl).toBeLessThanOrEqual(901_000);
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCT}:assumed-role/deploy/gh-123`);
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]{16}:gh-123$/);
    const s = server.sessions.at(-1);
    expect(s).toMatchObject({ roleArn: roleArn('ci/deploy'), viaAction: 'AssumeRole', sourceAccessKeyId: CI.accessKeyId });
    const raw = await signedPost(server, keysOf(CI), { Action: 'AssumeRole', RoleArn: roleArn('ci/deploy'), RoleSessionName: 'raw' });
    expect(raw.body).toMatch(/<Expiration>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/Expiration>/);
    expect(raw.body).not.toContain('PackedPolicySize'); // only when tags/policies were passed
  });

  it('denies callers the trust policy does not name, and hides whether the role exists', async () => {
    const denied = await failure(client(server, keysOf(NOPOL)).send(new AssumeRoleCommand({ RoleArn: roleArn('ci/deploy'), RoleSessionName: 's1' })));
    expect(denied).toEqual({ name: 'AccessDenied', status: 403, message: `User: ${NOPOL.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn('ci/deploy')}` });
    const missing = await failure(client(server, keysOf(CI)).send(new AssumeRoleCommand({ RoleArn: roleArn('nope'), RoleSessionName: 's1' })));
    expect(missing.message).toBe(`User: ${CI.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn('nope')}`);
    const deny = await failure(client(server, keysOf(CI)).send(new AssumeRoleCommand({ RoleArn: roleArn('denied-session'), RoleSessionName: 'blocked-1' })));
    expect(deny.name).toBe('AccessDenied'); // explicit Deny beats the Allow
    await client(server, keysOf(CI)).send(new AssumeRoleCommand({ RoleArn: roleArn('denied-session'), RoleSessionName: 'fine-1' }));
  });

  it('needs an identity-policy allow when the trust policy names only the account', async () => {
    await expect(assume(server, keysOf(DEV), { RoleArn: roleArn('acct-trust') })).resolves.toMatchObject({ roleArn: roleArn('acct-trust') });
    expect((await failure(assume(server, keysOf(NOPOL), { RoleArn: roleArn('acct-trust') }))).name).toBe('AccessDenied');
  });

  it('needs both trust and identity policy across accounts', async () => {
    const s = await assume(server, keysOf(PARTNER), { RoleArn: roleArn('cross') });
    expect(s.assumedRoleArn).toBe(`arn:aws:sts::${ACCT}:assumed-role/cross/test-session`);
    // Trusted by exact ARN, but no identity policy in its own account:
    expect((await failure(assume(server, keysOf(PARTNER2), { RoleArn: roleArn('cross-exact') }))).name).toBe('AccessDenied');
    // Identity policy allows, trust policy names a different account:
    expect((await failure(assume(server, keysOf(PARTNER), { RoleArn: roleArn('acct-trust') }))).name).toBe('AccessDenied');
  });

  it('requires sts:TagSession for session tags and records tags on the session', async () => {
    const tags = [{ Key: 'Repository', Value: 'my-org/my-repo' }];
    const denied = await failure(assume(server, keysOf(CI), { RoleArn: roleArn('notag'), Tags: tags }));
    expect(denied).toEqual({ name: 'AccessDenied', status: 403, message: `User: ${CI.arn} is not authorized to perform: sts:TagSession on resource: ${roleArn('notag')}` });
    await expect(assume(server, keysOf(CI), { RoleArn: roleArn('notag') })).resolves.toBeDefined();
    const s = await assume(server, keysOf(CI), { RoleArn: roleArn('ci/deploy'), Tags: tags, TransitiveTagKeys: ['Repository'] });
    expect(s.tags).toEqual({ Repository: 'my-org/my-repo' });
    expect(s.transitiveTagKeys).toEqual(['Repository']);
    const crossTagged = await assume(server, keysOf(PARTNER), { RoleArn: roleArn('cross'), Tags: tags });
    expect(crossTagged.tags).toEqual({ Repository: 'my-org/my-repo' });
  });

  it('evaluates an sts:ExternalId condition', async () => {
    const arn = roleArn('external');
    expect((await failure(assume(server, keysOf(CI), { RoleArn: arn }))).name).toBe('AccessDenied');
    expect((await failure(assume(server, keysOf(CI), { RoleArn: arn, ExternalId: 'ext-9999' }))).name).toBe('AccessDenied');
    await expect(assume(server, keysOf(CI), { RoleArn: arn, ExternalId: 'ext-1234' })).resolves.toBeDefined();
  });

  it('treats AssumeRole with session credentials as role chaining (1 hour cap, transitive tags carried)', async () => {
    const first = await assume(server, keysOf(CI), {
      RoleArn: roleArn('ci/deploy'),
      RoleSessionName: 'hop1',
      Tags: [{ Key: 'Team', Value: 'core' }],
      TransitiveTagKeys: ['Team']
    });
    const tooLong = await failure(assume(server, sessionCreds(first), { RoleArn: roleArn('chain-target'), DurationSeconds: 7200 }));
    expect(tooLong).toEqual({ name: 'ValidationError', status: 400, message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.' });
    const second = await assume(server, sessionCreds(first), { RoleArn: roleArn('chain-target'), RoleSessionName: 'hop2', DurationSeconds: 3600 });
    expect(second.sourceAccessKeyId).toBe(first.accessKeyId);
    expect(second.tags).toEqual({ Team: 'core' });
    expect(server.calls.at(-1)?.callerArn).toBe(`arn:aws:sts::${ACCT}:assumed-role/deploy/hop1`);
    const id = await client(server, sessionCreds(second)).send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe(`arn:aws:sts::${ACCT}:assumed-role/chain-target/hop2`);
    expect(id.UserId).toMatch(/^AROA[A-Z0-9]{16}:hop2$/);
    // The trust policy names only the deploy role: neither the user nor another role's session gets in.
    expect((await failure(assume(server, keysOf(CI), { RoleArn: roleArn('chain-target') }))).name).toBe('AccessDenied');
    const notag = await assume(server, keysOf(CI), { RoleArn: roleArn('notag'), RoleSessionName: 'other' });
    const denied = await failure(assume(server, sessionCreds(notag), { RoleArn: roleArn('chain-target') }));
    expect(denied.message).toBe(`User: arn:aws:sts::${ACCT}:assumed-role/notag/other is not authorized to perform: sts:AssumeRole on resource: ${roleArn('chain-target')}`);
  });

  it('validates parameters with the service texts', async () => {
    const c = client(server, keysOf(CI));
    const badName = await failure(c.send(new AssumeRoleCommand({ RoleArn: roleArn('ci/deploy'), RoleSessionName: 'has space' })));
    expect(badName).toEqual({
      name: 'ValidationError',
      status: 400,
      message: "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
    });
    const short = await failure(c.send(new AssumeRoleCommand({ RoleArn: roleArn('ci/deploy'), RoleSessionName: 'x', DurationSeconds: 60 })));
    expect(short.message).toMatch(/^2 validation errors detected: .*'roleSessionName'.*length greater than or equal to 2; .*'durationSeconds'.*greater than or equal to 900$/);
    expect((await failure(c.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:user/ci', RoleSessionName: 'ok' })))).message).toBe('Request ARN is invalid');
    const overMax = await failure(c.send(new AssumeRoleCommand({ RoleArn: roleArn('long'), RoleSessionName: 'ok', DurationSeconds: 7201 })));
    expect(overMax.message).toBe('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    await expect(c.send(new AssumeRoleCommand({ RoleArn: roleArn('long'), RoleSessionName: 'ok', DurationSeconds: 7200 }))).resolves.toBeDefined();
    const dup = await failure(
      c.send(
        new AssumeRoleCommand({
          RoleArn: roleArn('ci/deploy'),
          RoleSessionName: 'ok',
          Tags: [
            { Key: 'Env', Value: 'a' },
            { Key: 'env', Value: 'b' }
          ]
        })
      )
    );
    expect(dup.name).toBe('InvalidParameterValue');
    const notTagged = await failure(c.send(new AssumeRoleCommand({ RoleArn: roleArn('ci/deploy'), RoleSessionName: 'ok', Tags: [{ Key: 'A', Value: '1' }], TransitiveTagKeys: ['B'] })));
    expect(notTagged.name).toBe('InvalidParameterValue');
    const policy = await failure(c.send(new AssumeRoleCommand({ RoleArn: roleArn('ci/deploy'), RoleSessionName: 'ok', Policy: '{"Version":' })));
    expect(policy).toMatchObject({ name: 'MalformedPolicyDocumentException', status: 400 });
    const ext = await failure(c.send(new AssumeRoleCommand({ RoleArn: roleArn('external'), RoleSessionName: 'ok', ExternalId: 'bad id' })));
    expect(ext.message).toContain("at 'externalId' failed to satisfy constraint");
  });

  it('reports PackedPolicyTooLarge when tags exceed maxPackedTagChars', async () => {
    const small = await startSts({ ...baseOptions(), maxPackedTagChars: 40 });
    try {
      const c = client(small, keysOf(CI));
      const fits = await c.send(new AssumeRoleCommand({ RoleArn: roleArn('ci/deploy'), RoleSessionName: 'ok', Tags: [{ Key: 'K', Value: 'v'.repeat(19) }] }));
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- STS still answers it, so the stand-in must
      expect(fits.PackedPolicySize).toBe(50);
      const big = await failure(c.send(new AssumeRoleCommand({ RoleArn: roleArn('ci/deploy'), RoleSessionName: 'ok', Tags: [{ Key: 'K', Value: 'v'.repeat(40) }] })));
      expect(big).toMatchObject({ name: 'PackedPolicyTooLargeException', status: 400 });
      expect(big.message).toMatch(/^Packed policy consumes 103% of allotted space/);
    } finally {
      await small.close();
    }
  });
});

describe('AssumeRoleWithWebIdentity', () => {
  const input = (token: string, name = 'gha-run'): AssumeRoleWithWebIdentityCommand =>
    new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn('gha'), RoleSessionName: name, WebIdentityToken: token });

  it('exchanges a GitHub-shaped JWT whose sub matches the trust policy', async () => {
    const out = await client(server).send(input(githubToken()));
    expect(out.SubjectFromWebIdentityToken).toBe('repo:my-org/my-repo:ref:refs/heads/main');
    expect(out.Provider).toBe(GH);
    expect(out.Audience).toBe('sts.amazonaws.com');
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCT}:assumed-role/gha/gha-run`);
    const call = server.calls.at(-1);
    expect(call).toMatchObject({ action: 'AssumeRoleWithWebIdentity', status: 200 });
    expect(call?.accessKeyId).toBeUndefined(); // the SDK sends it unsigned
    const s = server.sessions.at(-1);
    expect(s?.viaAction).toBe('AssumeRoleWithWebIdentity');
    const id = await client(server, s ? sessionCreds(s) : undefined).send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe(`arn:aws:sts::${ACCT}:assumed-role/gha/gha-run`);
  });

  it('denies a sub (or custom claim) the trust policy does not allow', async () => {
    const wrongSub = await failure(client(server).send(input(githubToken({ sub: 'repo:my-org/my-repo:pull_request' }))));
    expect(wrongSub).toEqual({ name: 'AccessDenied', status: 403, message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity' });
    const wrongRepoClaim = await failure(client(server).send(input(githubToken({ repository: 'evil-org/my-repo' }))));
    expect(wrongRepoClaim.name).toBe('AccessDenied');
  });

  it('rejects a wrong audience, an unknown issuer and a forged signature as InvalidIdentityToken', async () => {
    const aud = await failure(client(server).send(input(githubToken({ aud: 'https://github.com/my-org' }))));
    expect(aud).toEqual({ name: 'InvalidIdentityTokenException', status: 400, message: 'Incorrect token audience' });
    const iss = await failure(client(server).send(input(githubToken({ iss: 'https://token.actions.githubusercontent.com/my-enterprise' }))));
    expect(iss.message).toBe('No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com/my-enterprise');
    const forged = await failure(client(server).send(input(githubToken({}, other.privateKey))));
    expect(forged.name).toBe('InvalidIdentityTokenException');
    const unknownKid = await failure(client(server).send(input(githubToken({}, privateKey, 'rotated-away'))));
    expect(unknownKid.message).toMatch(/^Couldn't retrieve verification key from your identity provider/);
    const garbage = await failure(client(server).send(input('not.a-jwt')));
    expect(garbage.name).toBe('InvalidIdentityTokenException');
  });

  it('rejects an expired token with the ExpiredTokenException code on the wire', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = githubToken({ iat: now - 900, nbf: now - 1500, exp: now - 600 });
    const sdk = await failure(client(server).send(input(token)));
    expect(sdk.name).toBe('ExpiredTokenException');
    expect(sdk.status).toBe(400);
    expect(sdk.message).toMatch(/^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/);
    const raw = await send(
      new URL(`${server.url}/`),
      'POST',
      FORM,
      formBody({ Action: 'AssumeRoleWithWebIdentity', RoleArn: roleArn('gha'), RoleSessionName: 'x1', WebIdentityToken: token })
    );
    expect(xmlCode(raw.body)).toBe('ExpiredTokenException');
    const notYet = await failure(client(server).send(input(githubToken({ nbf: now + 600 }))));
    expect(notYet.name).toBe('InvalidIdentityTokenException');
  });

  it('rejects a provider that exists only in another account, and Tags parameters', async () => {
    const elsewhere = await startSts({ ...baseOptions(), oidcProviders: [{ url: GH, account: OTHER, clientIds: ['sts.amazonaws.com'], jwks: { keys: [JWK] } }] });
    try {
      const r = await failure(client(elsewhere).send(input(githubToken())));
      expect(r.message).toBe(`No OpenIDConnect provider found in your account for https://${GH}`);
    } finally {
      await elsewhere.close();
    }
    const tagged = await send(
      new URL(`${server.url}/`),
      'POST',
      FORM,
      formBody({
        Action: 'AssumeRoleWithWebIdentity',
        RoleArn: roleArn('gha'),
        RoleSessionName: 'x1',
        WebIdentityToken: githubToken(),
        'Tags.member.1.Key': 'a',
        'Tags.member.1.Value': 'b'
      })
    );
    expect(tagged.status).toBe(400);
    expect(xmlCode(tagged.body)).toBe('ValidationError');
  });
});

describe('session lifetime', () => {
  it('expires credentials after sessionLifetimeSeconds with ExpiredToken', async () => {
    const short = await startSts({ ...baseOptions(), sessionLifetimeSeconds: 1 });
    try {
      const out = await client(short, keysOf(CI)).send(new AssumeRoleCommand({ RoleArn: roleArn('ci/deploy'), RoleSessionName: 'short', DurationSeconds: 3600 }));
      const exp = out.Credentials?.Expiration?.getTime() ?? 0;
      expect(exp - Date.now()).toBeLessThanOrEqual(1000);
      const creds = sessionCreds(short.sessions[0] as IssuedSession);
      await new Promise(r => setTimeout(r, Math.max(0, exp - Date.now()) + 50));
      const expired = await failure(client(short, creds).send(new GetCallerIdentityCommand({})));
      expect(expired).toEqual({ name: 'ExpiredToken', status: 403, message: 'The security token included in the request is expired' });
    } finally {
      await short.close();
    }
  });
});

describe('faults and rate limiting', () => {
  it('answers an injected Throttling once, then succeeds on the SDK retry', async () => {
    const start = server.calls.length;
    server.addFault({ kind: 'error', action: 'GetCallerIdentity', times: 1, status: 400, code: 'Throttling' });
    const out = await client(server, keysOf(CI), 3).send(new GetCallerIdentityCommand({}));
    expect(out.Arn).toBe(CI.arn);
    const calls = server.calls.slice(start);
    expect(calls.map(c => [c.status, c.code, c.faulted])).toEqual([
      [400, 'Throttling', true],
      [200, undefined, undefined]
    ]);
  });

  it('only consumes faults whose action matches, in insertion order, with Receiver for 5xx', async () => {
    server.addFault({ kind: 'error', action: 'AssumeRole', times: 1, status: 503, code: 'ServiceUnavailable' });
    server.addFault({ kind: 'error', times: 2, status: 500, code: 'InternalFailure' });
    const first = await signedPost(server, keysOf(CI), { Action: 'GetCallerIdentity' });
    expect([first.status, xmlCode(first.body)]).toEqual([500, 'InternalFailure']);
    expect(first.body).toContain('<Type>Receiver</Type>');
    const second = await signedPost(server, keysOf(CI), { Action: 'AssumeRole', RoleArn: roleArn('ci/deploy'), RoleSessionName: 'f' });
    expect([second.status, xmlCode(second.body)]).toEqual([503, 'ServiceUnavailable']);
    const third = await signedPost(server, keysOf(CI), { Action: 'GetCallerIdentity' });
    expect(third.status).toBe(500);
    const fourth = await signedPost(server, keysOf(CI), { Action: 'GetCallerIdentity' });
    expect(fourth.status).toBe(200);
  });

  it('drops the connection without a response', async () => {
    server.addFault({ kind: 'drop', times: 1 });
    await expect(signedPost(server, keysOf(CI), { Action: 'GetCallerIdentity' })).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(server.calls.at(-1)).toMatchObject({ action: 'GetCallerIdentity', status: 0, faulted: true });
    server.addFault({ kind: 'drop', action: 'GetCallerIdentity', times: 1 });
    const out = await client(server, keysOf(CI), 2).send(new GetCallerIdentityCommand({}));
    expect(out.Arn).toBe(CI.arn); // the SDK treats the reset as transient and retries
  });

  it('delays an answer', async () => {
    server.addFault({ kind: 'delay', action: 'GetCallerIdentity', times: 1, ms: 400 });
    const t0 = Date.now();
    const res = await signedPost(server, keysOf(CI), { Action: 'GetCallerIdentity' });
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(server.calls.at(-1)).toMatchObject({ faulted: true, status: 200 });
    const t1 = Date.now();
    await signedPost(server, keysOf(CI), { Action: 'GetCallerIdentity' });
    expect(Date.now() - t1).toBeLessThan(390);
  });

  it('throttles with a token bucket: 400 Throttling "Rate exceeded"', async () => {
    const limited = await startSts({ ...baseOptions(), rateLimit: { perSecond: 2, burst: 2 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await signedPost(limited, keysOf(CI), { Action: 'GetCallerIdentity' })).status);
      expect(statuses).toEqual([200, 200, 400]);
      expect(limited.calls.at(-1)).toMatchObject({ status: 400, code: 'Throttling' });
      const body = (await signedPost(limited, keysOf(CI), { Action: 'GetCallerIdentity' })).body;
      expect(body).toContain('<Message>Rate exceeded</Message>');
      await new Promise(r => setTimeout(r, 600));
      expect((await signedPost(limited, keysOf(CI), { Action: 'GetCallerIdentity' })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('close() ends idle keep-alive sockets promptly', async () => {
    const temp = await startSts(baseOptions());
    await client(temp, keysOf(CI)).send(new GetCallerIdentityCommand({})); // SDK agent keeps the socket
    const t0 = Date.now();
    await temp.close();
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('policy evaluation (pure)', () => {
  it('applies IAM condition semantics for missing keys, IfExists and set operators', () => {
    const ctx = { 'aws:TagKeys': ['Team', 'Env'], 'sts:RoleSessionName': 'abc' };
    expect(evaluateConditions({ StringEquals: { 'sts:ExternalId': 'x' } }, ctx)).toBe(false);
    expect(evaluateConditions({ StringNotEquals: { 'sts:ExternalId': 'x' } }, ctx)).toBe(true);
    expect(evaluateConditions({ StringEqualsIfExists: { 'sts:ExternalId': 'x' } }, ctx)).toBe(true);
    expect(evaluateConditions({ Null: { 'sts:ExternalId': 'true' } }, ctx)).toBe(true);
    expect(evaluateConditions({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['Team', 'Env', 'Owner'] } }, ctx)).toBe(true);
    expect(evaluateConditions({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['Team'] } }, ctx)).toBe(false);
    expect(evaluateConditions({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['Env'] } }, ctx)).toBe(true);
    expect(evaluateConditions({ StringLike: { 'STS:RoleSessionName': ['x*', 'a?c'] } }, ctx)).toBe(true); // keys are case-insensitive
    expect(evaluateConditions({ StringEqualsIgnoreCase: { 'sts:rolesessionname': 'ABC' } }, ctx)).toBe(true);
  });

  it('ranks principal matches so account-only trust can demand an identity policy', () => {
    const doc = { Statement: [{ Effect: 'Allow' as const, Principal: { AWS: [`arn:aws:iam::${ACCT}:root`] }, Action: 'sts:AssumeRole' }] };
    const r = evaluatePolicy(doc, { action: 'sts:assumerole', principal: { type: 'AWS', ids: [CI.arn], account: ACCT }, context: {} });
    expect(r).toEqual({ decision: 'Allow', principalMatch: 'account' });
    const other = evaluatePolicy(doc, { action: 'sts:AssumeRole', principal: { type: 'AWS', ids: [PARTNER.arn], account: OTHER }, context: {} });
    expect(other.decision).toBe('ImplicitDeny');
  });
});
