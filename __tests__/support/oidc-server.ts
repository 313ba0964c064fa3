// A local stand-in for GitHub's OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL): same request
// shape, same response shape, RS256 JWTs with GitHub's claim set, plus injectable faults.
// Listens on 127.0.0.1 only.
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drip, flood } from './hostile-bodies.ts';
import { createListener } from './net-listener.ts';
import type { ListenerOptions, NetCounts } from './net-listener.ts';

/** GitHub sends every custom claim as a string; `undefined` removes a claim. */
export interface GithubClaims {
  [claim: string]: string | undefined;
}

export type OidcFault =
  | { kind: 'status'; status: number; times: number; body?: string }
  | { kind: 'drop'; times: number }
  | { kind: 'delay'; ms: number; times: number }
  /** Headers at once, then one byte of body every `intervalMs`, never ending: only a total deadline stops it. */
  | { kind: 'drip'; intervalMs: number; times: number }
  /** A 200 answer of `bytes` bytes, written as fast as the client reads it. */
  | { kind: 'flood'; bytes: number; times: number };

export interface OidcOptions {
  issuer?: string;
  claims?: GithubClaims;
  lifetimeSeconds?: number;
  /** HTTPS with a given certificate, and a delay on each new connection's first answer. */
  listener?: ListenerOptions;
}

export interface IssuedToken {
  token: string;
  audience: string | undefined;
  claims: Record<string, unknown>;
  at: number;
}

export interface OidcServer {
  requestUrl: string;
  requestToken: string;
  issuer: string;
  jwks: { keys: JsonWebKey[] };
  issued: IssuedToken[];
  requests: number;
  /** TCP connections and TLS handshakes so far (read live). */
  counts: NetCounts;
  addFault(f: OidcFault): void;
  clearFaults(): void;
  /** Replaces the overrides given at start (defaults stay underneath). */
  setClaims(c: GithubClaims): void;
  setLifetime(seconds: number): void;
  close(): Promise<void>;
}

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

// One run context shared with the step runner, so GITHUB_SHA and the `sha` claim agree.
const SHA = '8f3c2a1b9d4e5f60718293a4b5c6d7e8f9012345';

/** A push to main of a private repository, run on a GitHub-hosted runner. */
export function defaultClaims(): GithubClaims {
  return {
    repository: 'octo-org/octo-repo',
    repository_owner: 'octo-org',
    repository_id: '456789',
    repository_owner_id: '123456',
    repository_visibility: 'private',
    actor: 'octocat',
    actor_id: '583231',
    ref: 'refs/heads/main',
    ref_type: 'branch',
    sha: SHA,
    workflow: 'CI',
    workflow_ref: 'octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main',
    workflow_sha: SHA,
    job_workflow_ref: 'octo-org/octo-repo/.github/workflows/ci.yml@refs/heads/main',
    job_workflow_sha: SHA,
    event_name: 'push',
    run_id: '9876543210',
    run_number: '42',
    run_attempt: '1',
    runner_environment: 'github-hosted',
    head_ref: '',
    base_ref: '',
    environment: undefined
  };
}

// GitHub encodes ':' inside a sub component as %3A so the component boundaries stay unambiguous.
function subPart(value: string): string {
  return value.split(':').join('%3A');
}

/** The default `sub` (first matching row of GitHub's table wins). */
export function defaultSubject(claims: GithubClaims): string {
  const repo = `repo:${claims['repository'] ?? ''}`;
  const environment = claims['environment'];
  if (environment !== undefined && environment !== '') return `${repo}:environment:${subPart(environment)}`;
  if (claims['event_name'] === 'pull_request') return `${repo}:pull_request`;
  return `${repo}:ref:${subPart(claims['ref'] ?? '')}`;
}

function mergeClaims(overrides: GithubClaims): Record<string, string> {
  const merged: GithubClaims = { ...defaultClaims(), ...overrides };
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(merged)) if (value !== undefined) out[key] = value;
  return out;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

interface SigningKey {
  privateKey: KeyObject;
  kid: string;
  x5t: string;
  jwk: JsonWebKey;
}

// x5t is normally the SHA-1 thumbprint of the signing certificate; node cannot mint X.509
// certificates, so the thumbprint of the public key stands in (clients only compare it).
function makeSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ format: 'der', type: 'spki' });
  const x5t = base64url(createHash('sha1').update(der).digest());
  const kid = randomUUID();
  const jwk: JsonWebKey = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig', x5t };
  return { privateKey, kid, x5t, jwk };
}

function signJwt(key: SigningKey, payload: Record<string, unknown>): string {
  const header = { alg: 'RS256', kid: key.kid, typ: 'JWT', x5t: key.x5t };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${base64url(sign('sha256', Buffer.from(input), key.privateKey))}`;
}

interface State {
  issuer: string;
  overrides: GithubClaims;
  lifetime: number;
  faults: OidcFault[];
  key: SigningKey;
  requestToken: string;
  issued: IssuedToken[];
  requests: number;
}

function buildPayload(state: State, audience: string | undefined): Record<string, unknown> {
  const claims = mergeClaims(state.overrides);
  const iat = Math.floor(Date.now() / 1000);
  // nbf = iat - 600 as in GitHub's documented token; exp may lie in the past (negative lifetime).
  const standard = {
    jti: randomUUID(),
    sub: defaultSubject(claims),
    aud: audience ?? `https://github.com/${claims['repository_owner'] ?? ''}`,
    iss: state.issuer,
    nbf: iat - 600,
    iat,
    exp: iat + state.lifetime
  };
  // Explicit overrides (e.g. `sub`, `iss`, `aud`) win over the derived values.
  return { ...standard, ...claims };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendFaultStatus(res: ServerResponse, status: number, body: string | undefined): void {
  if (body === undefined) return sendJson(res, status, { message: `Injected fault: HTTP ${status}` });
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

// Takes one use of the first queued fault; exhausted faults leave the queue.
function takeFault(state: State): OidcFault | undefined {
  const fault = state.faults[0];
  if (fault === undefined) return undefined;
  fault.times -= 1;
  if (fault.times <= 0) state.faults.shift();
  return fault;
}

function bearerOf(req: IncomingMessage): string | undefined {
  const match = /^bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1]?.trim();
}

function serveToken(state: State, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== '/token') return sendJson(res, 404, { message: 'Not Found' });
  if (req.method !== 'GET') return sendJson(res, 405, { message: 'Method Not Allowed' });
  const bearer = bearerOf(req);
  if (bearer === undefined) return sendJson(res, 401, { message: 'Authorization header with a bearer token is required' });
  if (bearer !== state.requestToken) return sendJson(res, 401, { message: 'Bad credentials' });
  const param = url.searchParams.get('audience');
  const audience = param === null || param === '' ? undefined : param;
  const claims = buildPayload(state, audience);
  const token = signJwt(state.key, claims);
  state.issued.push({ token, audience, claims, at: Date.now() });
  sendJson(res, 200, { count: state.issued.length, value: token });
}

function handle(state: State, req: IncomingMessage, res: ServerResponse): void {
  state.requests += 1;
  const fault = takeFault(state);
  if (fault?.kind === 'drop') return void req.socket.destroy();
  if (fault?.kind === 'status') return sendFaultStatus(res, fault.status, fault.body);
  if (fault?.kind === 'drip') return drip(res, 'application/json; charset=utf-8', '{', fault.intervalMs);
  if (fault?.kind === 'flood') return flood(res, 'application/json; charset=utf-8', fault.bytes);
  if (fault?.kind === 'delay') {
    setTimeout(() => {
      if (!res.destroyed) serveToken(state, req, res);
    }, fault.ms).unref();
    return;
  }
  serveToken(state, req, res);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close(err => (err ? reject(err) : resolve()));
    // Keep-alive sockets would otherwise hold close() open until they time out.
    server.closeAllConnections();
  });
}

export async function startOidc(options: OidcOptions = {}): Promise<OidcServer> {
  const state: State = {
    issuer: options.issuer ?? GITHUB_ISSUER,
    overrides: { ...options.claims },
    lifetime: options.lifetimeSeconds ?? 300,
    faults: [],
    key: makeSigningKey(),
    requestToken: randomBytes(32).toString('base64url'),
    issued: [],
    requests: 0
  };
  const { server: http, scheme, counts } = createListener(options.listener ?? {}, (req, res) => handle(state, req, res));
  const port = await listen(http);
  return {
    requestUrl: `${scheme}://127.0.0.1:${port}/token?api-version=2.0`,
    counts,
    requestToken: state.requestToken,
    issuer: state.issuer,
    jwks: { keys: [state.key.jwk] },
    issued: state.issued,
    get requests() {
      return state.requests;
    },
    addFault: f => void state.faults.push({ ...f }),
    clearFaults: () => void state.faults.splice(0),
    setClaims: c => void (state.overrides = { ...c }),
    setLifetime: s => void (state.lifetime = s),
    close: () => closeServer(http)
  };
}
