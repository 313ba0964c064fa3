// A faithful local AWS STS (Query protocol, 2011-06-15) for end-to-end tests: SigV4-verified
// AssumeRole and GetCallerIdentity, JWT-verified AssumeRoleWithWebIdentity, IAM trust/identity
// policy evaluation, real error codes/statuses/texts (sts.md), fault injection and rate limiting.
// Listens on 127.0.0.1 only. Behaviour that had to be approximated is marked "Approximation".
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { drip, flood } from './hostile-bodies.ts';
import { clockProblem, headerValues, parseAuth, scopeProblem, signatureMatches } from './sigv4.ts';
import type { AuthParse, RawRequest, SigV4Auth } from './sigv4.ts';
import { evaluatePolicy, normalisePolicy, policyProblems } from './trust-policy.ts';
import type { ConditionContext, PolicyDocument, PrincipalRef } from './trust-policy.ts';
import { audiences, decodeJwt, numericDate, stringClaim, verifyJwtSignature } from './jwt-verify.ts';
import type { JwtClaims } from './jwt-verify.ts';
import { createListener } from './net-listener.ts';
import type { ListenerOptions, NetCounts } from './net-listener.ts';

export type { PolicyDocument, PolicyStatement } from './trust-policy.ts';

// ---------------------------------------------------------------------------------------------
// Public API

export interface IamUser {
  arn: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Identity policy; needed for cross-account AssumeRole or when the trust policy names the account. */
  policy?: PolicyDocument;
}

export interface IamRole {
  arn: string;
  trustPolicy: PolicyDocument;
  /** Default 3600. */
  maxSessionDuration?: number;
  /** Identity policy of this role's sessions (used when they chain into another role). */
  policy?: PolicyDocument;
}

export interface OidcProviderConfig {
  /** Issuer without `https://`, e.g. token.actions.githubusercontent.com. */
  url: string;
  /** 12 digits; provider ARN is arn:aws:iam::<account>:oidc-provider/<url>. */
  account: string;
  clientIds: string[];
  jwks: { keys: JsonWebKey[] };
}

export type StsAction = 'AssumeRole' | 'AssumeRoleWithWebIdentity' | 'GetCallerIdentity';

export type Fault =
  | { kind: 'error'; action?: StsAction; times: number; status: number; code: string; message?: string }
  | { kind: 'drop'; action?: StsAction; times: number }
  | { kind: 'delay'; action?: StsAction; times: number; ms: number }
  /**
   * A hostile or broken success: the call is answered normally, then `mutate` rewrites the leaf values
   * of the result (AccessKeyId, SecretAccessKey, SessionToken, Expiration, Arn, Account, UserId…; a
   * value set to undefined drops the element), or `body` replaces the whole answer.
   */
  | { kind: 'answer'; action?: StsAction; times: number; mutate?: (fields: AnswerFields) => AnswerFields; body?: string }
  /** Headers at once, then one byte of body every `intervalMs`, never ending: only a total deadline stops it. */
  | { kind: 'drip'; action?: StsAction; times: number; intervalMs: number }
  /** A 200 answer of `bytes` bytes, written as fast as the client reads it. */
  | { kind: 'flood'; action?: StsAction; times: number; bytes: number };

/** The leaf values of a result, by element name (unique within each of the three results). */
export type AnswerFields = Record<string, string | undefined>;

export interface RecordedCall {
  action: string;
  params: Record<string, string>;
  /** HTTP status answered; 0 when the socket was dropped (or the server closed first). */
  status: number;
  code?: string;
  accessKeyId?: string;
  callerArn?: string;
  userAgent?: string;
  at: number;
  faulted?: boolean;
}

export interface IssuedSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  assumedRoleArn: string;
  roleArn: string;
  viaAction: StsAction;
  tags: Record<string, string>;
  transitiveTagKeys: string[];
  sourceAccessKeyId?: string;
}

export interface StsOptions {
  region?: string;
  users?: IamUser[];
  roles?: IamRole[];
  oidcProviders?: OidcProviderConfig[];
  sessionLifetimeSeconds?: number;
  rateLimit?: { perSecond: number; burst: number };
  maxPackedTagChars?: number;
  clockSkewSeconds?: number;
  /**
   * STS's clock minus the caller's, in seconds: -1200 is a runner clock 20 minutes ahead. Signatures are
   * checked and the `Date` header written on this clock, as real STS does on its own.
   */
  clockOffsetSeconds?: number;
  /** HTTPS with a given certificate, and a delay on each new connection's first answer. */
  listener?: ListenerOptions;
}

export interface StsServer {
  url: string;
  port: number;
  calls: RecordedCall[];
  sessions: IssuedSession[];
  /** TCP connections and TLS handshakes so far (read live). */
  counts: NetCounts;
  /** Date.now() of each accepted TCP connection, in order. */
  connectedAt: number[];
  /**
   * A session of `roleArn` as an AWS service would hand it to a machine (an EC2 instance profile, an
   * ECS task role, EKS Pod Identity, CodeBuild): issued and recorded like any other, with no call made.
   */
  mintSession(roleArn: string, sessionName: string, durationSeconds?: number): IssuedSession;
  addFault(f: Fault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Internal model

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const API_VERSION = '2011-06-15';
const ACTIONS: ReadonlySet<string> = new Set<StsAction>(['AssumeRole', 'AssumeRoleWithWebIdentity', 'GetCallerIdentity']);
const MAX_BODY_BYTES = 1024 * 1024;
/** Claims STS exposes as `<provider>:<claim>` condition keys (sts.md §6, 2026-01 announcement). */
const OIDC_CLAIM_KEYS = ['actor', 'actor_id', 'job_workflow_ref', 'repository', 'repository_id', 'workflow', 'ref', 'environment', 'enterprise_id'];
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):iam::(\d{12}):role\/((?:[\x21-\x7E]+\/)?)([\w+=,.@-]{1,64})$/;
const USER_ARN = /^arn:[a-z-]+:iam::(\d{12}):user\/(?:[\x21-\x7E]+\/)?([\w+=,.@-]{1,64})$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

class StsError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

interface RoleRecord {
  config: IamRole;
  arn: string;
  partition: string;
  account: string;
  name: string;
  roleId: string;
  maxSessionDuration: number;
}

interface SessionRecord {
  issued: IssuedSession;
  role: RoleRecord;
  sessionName: string;
  sessionPolicy: PolicyDocument | undefined;
  sourceIdentity: string | undefined;
}

type Caller =
  { kind: 'user'; user: IamUser; account: string; arn: string; accessKeyId: string } | { kind: 'session'; session: SessionRecord; account: string; arn: string; accessKeyId: string };

interface State {
  region: string;
  skewSeconds: number;
  clockOffsetMs: number;
  options: StsOptions;
  users: Map<string, IamUser>;
  roles: Map<string, RoleRecord>;
  sessionsByKey: Map<string, SessionRecord>;
  calls: RecordedCall[];
  sessions: IssuedSession[];
  faults: Fault[];
  bucket: { tokens: number; at: number } | undefined;
  pendingDelays: Set<() => void>;
  closed: boolean;
}

type Params = Record<string, string>;

/** An XML element: name and either text or child elements; undefined content drops the element. */
type XmlNode = [string, string | number | XmlNode[] | undefined];

// ---------------------------------------------------------------------------------------------
// Server lifecycle

export async function startSts(options: StsOptions = {}): Promise<StsServer> {
  const state = buildState(options);
  const { server, scheme, counts, connectedAt } = createListener(options.listener ?? {}, (req, res) => {
    handle(state, req, res).catch((e: unknown) => internalFailure(res, e));
  });
  await listen(server);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    calls: state.calls,
    sessions: state.sessions,
    counts,
    connectedAt,
    mintSession: (roleArn, sessionName, durationSeconds) => mintSession(state, roleArn, sessionName, durationSeconds),
    addFault: f => state.faults.push({ ...f }), // a copy: `times` is consumed in place
    clearFaults: () => state.faults.splice(0),
    close: () => closeServer(server, state)
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
}

function closeServer(server: Server, state: State): Promise<void> {
  state.closed = true;
  for (const wake of state.pendingDelays) wake(); // let delayed handlers finish instead of dangling
  state.pendingDelays.clear();
  return new Promise(resolve => {
    server.close(() => resolve());
    server.closeAllConnections(); // keep-alive sockets from SDK agents would otherwise hold jest open
  });
}

function internalFailure(res: ServerResponse, e: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const message = e instanceof Error ? e.message : String(e);
  res.writeHead(500, { 'Content-Type': 'text/xml' }).end(errorXml('Receiver', 'InternalFailure', message, randomUUID()));
}

function buildState(options: StsOptions): State {
  const state: State = {
    region: options.region ?? 'us-east-1',
    skewSeconds: options.clockSkewSeconds ?? 900,
    clockOffsetMs: (options.clockOffsetSeconds ?? 0) * 1000,
    options,
    users: new Map(),
    roles: new Map(),
    sessionsByKey: new Map(),
    calls: [],
    sessions: [],
    faults: [],
    bucket: options.rateLimit ? { tokens: options.rateLimit.burst, at: Date.now() } : undefined,
    pendingDelays: new Set(),
    closed: false
  };
  for (const user of options.users ?? []) state.users.set(user.accessKeyId, checkUser(user));
  for (const role of options.roles ?? []) state.roles.set(role.arn, roleRecord(role));
  for (const p of options.oidcProviders ?? []) checkProvider(p);
  return state;
}

/** Misconfigured fixtures fail at startup, not as a puzzling AccessDenied later. */
function checkUser(user: IamUser): IamUser {
  if (!USER_ARN.test(user.arn)) throw new Error(`startSts: invalid user ARN ${user.arn}`);
  if (!/^AKIA[A-Z0-9]{12,124}$/.test(user.accessKeyId)) throw new Error(`startSts: user key must look like AKIA…: ${user.accessKeyId}`);
  assertPolicy(user.policy, 'identity', user.arn);
  return user;
}

function roleRecord(role: IamRole): RoleRecord {
  const m = ROLE_ARN.exec(role.arn);
  if (!m) throw new Error(`startSts: invalid role ARN ${role.arn}`);
  const max = role.maxSessionDuration ?? 3600;
  if (!Number.isInteger(max) || max < 3600 || max > 43200) throw new Error(`startSts: maxSessionDuration must be 3600–43200 for ${role.arn}`);
  assertPolicy(role.trustPolicy, 'trust', role.arn);
  assertPolicy(role.policy, 'identity', role.arn);
  return {
    config: role,
    arn: role.arn,
    partition: m[1] ?? 'aws',
    account: m[2] ?? '',
    name: m[4] ?? '',
    roleId: stableId('AROA', role.arn),
    maxSessionDuration: max
  };
}

function checkProvider(p: OidcProviderConfig): void {
  if (!/^\d{12}$/.test(p.account)) throw new Error(`startSts: provider account must be 12 digits: ${p.account}`);
  if (p.url.startsWith('https://')) throw new Error(`startSts: provider url is given without https:// (${p.url})`);
}

function assertPolicy(doc: PolicyDocument | undefined, kind: 'trust' | 'identity', owner: string): void {
  if (doc === undefined) return;
  const problems = policyProblems(doc, kind);
  if (problems.length > 0) throw new Error(`startSts: ${kind} policy of ${owner}: ${problems.join('; ')}`);
}

// ---------------------------------------------------------------------------------------------
// Request pipeline

async function handle(state: State, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readRequest(req);
  const params = requestParams(raw);
  const parsedAuth = parseAuth(raw);
  const call = recordCall(state, raw, params, parsedAuth);
  const fault = takeFault(state, call.action);
  if (fault) {
    call.faulted = true;
    const proceed = await applyFault(state, fault, call, res);
    if (!proceed) return;
  }
  if (!takeRateToken(state)) {
    sendError(state, res, call, new StsError(400, 'Throttling', 'Rate exceeded'));
    return;
  }
  try {
    const { op, result } = dispatch(state, raw, params, parsedAuth, call);
    const requestId = randomUUID();
    const body = fault?.kind === 'answer' ? (fault.body ?? successXml(op, mutateLeaves(result, fault.mutate), requestId)) : successXml(op, result, requestId);
    sendXml(res, call, 200, body, requestId, stsNow(state));
  } catch (e) {
    // A bug in the stand-in surfaces as a recorded 500 InternalFailure carrying the message.
    sendError(state, res, call, e instanceof StsError ? e : new StsError(500, 'InternalFailure', e instanceof Error ? e.message : String(e)));
  }
}

function readRequest(req: IncomingMessage): Promise<RawRequest> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('request body too large'));
      else chunks.push(c);
    });
    req.on('error', reject);
    req.on('end', () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      resolve({
        method: req.method ?? 'GET',
        path: q < 0 ? url : url.slice(0, q),
        query: q < 0 ? '' : url.slice(q + 1),
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks)
      });
    });
  });
}

/** Query parameters plus a form-encoded body (body wins), minus presigning parameters. */
function requestParams(raw: RawRequest): Params {
  const out: Params = {};
  const add = (text: string): void => {
    for (const [k, v] of new URLSearchParams(text)) if (!k.startsWith('X-Amz-')) out[k] = v;
  };
  add(raw.query);
  const type = headerValues(raw.rawHeaders, 'content-type')[0] ?? '';
  if (type.toLowerCase().includes('application/x-www-form-urlencoded')) add(raw.body.toString('utf8'));
  return out;
}

function recordCall(state: State, raw: RawRequest, params: Params, auth: AuthParse): RecordedCall {
  const call: RecordedCall = { action: params.Action ?? '', params, status: 0, at: Date.now() };
  const keyId = auth.kind === 'ok' ? auth.auth.accessKeyId : auth.kind === 'malformed' ? auth.accessKeyId : undefined;
  if (keyId !== undefined) call.accessKeyId = keyId;
  const ua = headerValues(raw.rawHeaders, 'user-agent')[0];
  if (ua !== undefined) call.userAgent = ua;
  state.calls.push(call);
  return call;
}

// ---------------------------------------------------------------------------------------------
// Faults and rate limiting

/** First fault (insertion order) that matches the action consumes one of its `times`. */
function takeFault(state: State, action: string): Fault | undefined {
  const i = state.faults.findIndex(f => f.times > 0 && (f.action === undefined || f.action === action));
  const fault = state.faults[i];
  if (fault === undefined) return undefined;
  fault.times -= 1;
  if (fault.times <= 0) state.faults.splice(i, 1);
  return fault;
}

/** Applies a fault; true when the request should then be answered normally (delay). */
async function applyFault(state: State, fault: Fault, call: RecordedCall, res: ServerResponse): Promise<boolean> {
  if (fault.kind === 'drop') {
    res.socket?.destroy(); // no status line at all: the client sees ECONNRESET / socket hang up
    return false;
  }
  if (fault.kind === 'error') {
    sendError(state, res, call, new StsError(fault.status, fault.code, fault.message ?? defaultFaultMessage(fault.code)));
    return false;
  }
  if (fault.kind === 'answer') return true; // answered normally, then rewritten (handle)
  if (fault.kind === 'drip' || fault.kind === 'flood') {
    call.status = 200;
    if (fault.kind === 'drip') drip(res, 'text/xml', '<', fault.intervalMs, () => state.closed);
    else flood(res, 'text/xml', fault.bytes);
    return false;
  }
  await sleep(state, fault.ms);
  return !state.closed;
}

/** The result with its leaf values rewritten by `mutate` (a leaf set to undefined is dropped). */
function mutateLeaves(result: XmlNode[], mutate: ((fields: AnswerFields) => AnswerFields) | undefined): XmlNode[] {
  if (mutate === undefined) return result;
  const fields: AnswerFields = {};
  const collect = (nodes: XmlNode[]): void => nodes.forEach(([name, content]) => (Array.isArray(content) ? collect(content) : content !== undefined && (fields[name] = String(content))));
  collect(result);
  const changed = mutate({ ...fields });
  const rewrite = (nodes: XmlNode[]): XmlNode[] => nodes.map(([name, content]) => [name, Array.isArray(content) ? rewrite(content) : name in changed ? changed[name] : content]);
  return rewrite(result);
}

function defaultFaultMessage(code: string): string {
  const texts: Record<string, string> = {
    Throttling: 'Rate exceeded',
    ServiceUnavailable: 'The request has failed due to a temporary failure of the server.',
    InternalFailure: 'The request processing has failed because of an unknown error, exception or failure.'
  };
  return texts[code] ?? code;
}

function sleep(state: State, ms: number): Promise<void> {
  return new Promise(resolve => {
    const wake = (): void => {
      clearTimeout(timer);
      state.pendingDelays.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    state.pendingDelays.add(wake);
  });
}

/** Token bucket over all requests; refills continuously at perSecond up to burst. */
function takeRateToken(state: State): boolean {
  const limit = state.options.rateLimit;
  const bucket = state.bucket;
  if (!limit || !bucket) return true;
  const now = Date.now();
  bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * limit.perSecond);
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Responses

/** The service's own time: what it signs against and puts in `Date`, from which SDKs correct their clock. */
function stsNow(state: State): Date {
  return new Date(Date.now() + state.clockOffsetMs);
}

function sendXml(res: ServerResponse, call: RecordedCall, status: number, body: string, requestId: string, date: Date): void {
  call.status = status;
  if (res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId, 'Content-Length': Buffer.byteLength(body), Date: date.toUTCString() });
  res.end(body);
}

function sendError(state: State, res: ServerResponse, call: RecordedCall, e: StsError): void {
  call.code = e.code;
  const id = randomUUID();
  sendXml(res, call, e.status, errorXml(e.status >= 500 ? 'Receiver' : 'Sender', e.code, e.message, id), id, stsNow(state));
}

function errorXml(type: string, code: string, message: string, requestId: string): string {
  const error: XmlNode = [
    'Error',
    [
      ['Type', type],
      ['Code', code],
      ['Message', message]
    ]
  ];
  return `<ErrorResponse xmlns="${NS}">\n${renderXml([error, ['RequestId', requestId]], 1)}</ErrorResponse>\n`;
}

/** `<{Op}Response><{Op}Result>…</{Op}Result><ResponseMetadata>…` as real STS formats it. */
function successXml(op: StsAction, result: XmlNode[], requestId: string): string {
  const body = renderXml(
    [
      [`${op}Result`, result],
      ['ResponseMetadata', [['RequestId', requestId]]]
    ],
    1
  );
  return `<${op}Response xmlns="${NS}">\n${body}</${op}Response>\n`;
}

function renderXml(nodes: XmlNode[], depth: number): string {
  const pad = '  '.repeat(depth);
  return nodes
    .filter(([, content]) => content !== undefined)
    .map(([name, content]) => (Array.isArray(content) ? `${pad}<${name}>\n${renderXml(content, depth + 1)}${pad}</${name}>\n` : `${pad}<${name}>${xmlEscape(String(content))}</${name}>\n`))
    .join('');
}

/** Text-node escaping; quotes stay literal, as in real STS messages (`Value 'x' at 'roleSessionName'`). */
function xmlEscape(s: string): string {
  // A carriage return as a reference: a raw one would be normalised to a line feed by the XML parser.
  return s.replace(/[&<>\r]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' })[c] ?? c);
}

// ---------------------------------------------------------------------------------------------
// Dispatch and authentication

/** A successful operation's `{Op}Result` children. */
interface Success {
  op: StsAction;
  result: XmlNode[];
}

function dispatch(state: State, raw: RawRequest, p: Params, auth: AuthParse, call: RecordedCall): Success {
  const action = p.Action;
  if (action === undefined || action === '') throw new StsError(400, 'MissingAction', 'Missing Action');
  if (p.Version !== API_VERSION) {
    if (p.Version === undefined) throw new StsError(400, 'MissingParameter', 'The request must contain the parameter Version');
    throw new StsError(400, 'InvalidAction', `Could not find operation ${action} for version ${p.Version}`);
  }
  if (!ACTIONS.has(action)) {
    throw new StsError(400, 'InvalidAction', `Could not find operation ${action} for version ${API_VERSION}`);
  }
  const now = stsNow(state);
  // AssumeRoleWithWebIdentity is unsigned: the JWT is the identity (sts.md §4).
  if (action === 'AssumeRoleWithWebIdentity') return assumeRoleWithWebIdentity(state, p, now);
  const caller = authenticate(state, raw, auth, now);
  call.callerArn = caller.arn;
  return action === 'AssumeRole' ? assumeRole(state, caller, p, now) : getCallerIdentity(caller);
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** SigV4 checks in the order that yields real STS's answers (sts.md §7 outcome mapping). */
function authenticate(state: State, raw: RawRequest, parsed: AuthParse, now: Date): Caller {
  if (parsed.kind === 'none') throw new StsError(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
  if (parsed.kind === 'malformed') throw new StsError(400, 'IncompleteSignature', parsed.message);
  const auth = parsed.auth;
  const { caller, secret } = lookupKey(state, auth, now);
  const problem = scopeProblem(auth, state.region) ?? clockProblem(auth, now, state.skewSeconds);
  if (problem !== undefined) throw new StsError(403, 'SignatureDoesNotMatch', problem);
  if (!signatureMatches(raw, auth, secret)) throw new StsError(403, 'SignatureDoesNotMatch', SIGNATURE_MISMATCH);
  return caller;
}

const INVALID_TOKEN = 'The security token included in the request is invalid.';

function lookupKey(state: State, auth: SigV4Auth, now: Date): { caller: Caller; secret: string } {
  const token = auth.securityToken === '' ? undefined : auth.securityToken;
  const user = state.users.get(auth.accessKeyId);
  if (user) {
    // Long-term keys carry no token; a stray one fails validation like an unknown token would.
    if (token !== undefined) throw new StsError(403, 'InvalidClientTokenId', INVALID_TOKEN);
    const caller: Caller = { kind: 'user', user, account: accountOf(user.arn), arn: user.arn, accessKeyId: auth.accessKeyId };
    return { caller, secret: user.secretAccessKey };
  }
  const session = state.sessionsByKey.get(auth.accessKeyId);
  if (!session || token !== session.issued.sessionToken) throw new StsError(403, 'InvalidClientTokenId', INVALID_TOKEN);
  if (now.getTime() >= session.issued.expiration.getTime()) {
    throw new StsError(403, 'ExpiredToken', 'The security token included in the request is expired');
  }
  const caller: Caller = {
    kind: 'session',
    session,
    account: session.role.account,
    arn: session.issued.assumedRoleArn,
    accessKeyId: auth.accessKeyId
  };
  return { caller, secret: session.issued.secretAccessKey };
}

// ---------------------------------------------------------------------------------------------
// GetCallerIdentity

function getCallerIdentity(caller: Caller): Success {
  const userId = caller.kind === 'user' ? stableId('AIDA', caller.arn) : `${caller.session.role.roleId}:${caller.session.sessionName}`;
  return {
    op: 'GetCallerIdentity',
    result: [
      ['Arn', caller.arn],
      ['UserId', userId],
      ['Account', caller.account]
    ]
  };
}

// ---------------------------------------------------------------------------------------------
// Parameter validation (sts.md §3); messages follow STS's "N validation errors detected" format

interface AssumeParams {
  roleArn: string;
  sessionName: string;
  durationSeconds: number | undefined;
  policy: PolicyDocument | undefined;
  policyChars: number;
  policyArns: string[];
  tags: [string, string][];
  transitiveTagKeys: string[];
  externalId: string | undefined;
  sourceIdentity: string | undefined;
}

const SESSION_NAME = { re: /^[\w+=,.@-]*$/, text: '[\\w+=,.@-]*' };
const EXTERNAL_ID = { re: /^[\w+=,.@:/-]*$/, text: '[\\w+=,.@:\\/-]*' };
const TAG_KEY = { re: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, text: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' };
const TAG_VALUE = { re: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, text: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*' };
const POLICY_CHARS = { re: /^[\u0009\u000A\u000D\u0020-\u00FF]+$/, text: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' };
const SERIAL = { re: /^[\w+=/:,.@-]*$/, text: '[\\w+=/:,.@-]*' };
const TOKEN_CODE = { re: /^\d*$/, text: '[\\d]*' };

interface StringRule {
  min: number;
  max: number;
  required?: boolean;
  pattern?: { re: RegExp; text: string };
}

function violation(value: string | undefined, field: string, constraint: string): string {
  const shown = value === undefined ? 'null' : `'${value}'`;
  return `Value ${shown} at '${field}' failed to satisfy constraint: ${constraint}`;
}

/** One violation per field (the first failing constraint), like the service reports them. */
function checkString(out: string[], value: string | undefined, field: string, rule: StringRule): void {
  if (value === undefined) {
    if (rule.required) out.push(violation(value, field, 'Member must not be null'));
    return;
  }
  const length = [...value].length;
  if (length < rule.min) out.push(violation(value, field, `Member must have length greater than or equal to ${rule.min}`));
  else if (length > rule.max) out.push(violation(value, field, `Member must have length less than or equal to ${rule.max}`));
  else if (rule.pattern && !rule.pattern.re.test(value)) {
    out.push(violation(value, field, `Member must satisfy regular expression pattern: ${rule.pattern.text}`));
  }
}

function checkDuration(out: string[], value: string | undefined): void {
  if (value === undefined) return;
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n)) out.push(violation(value, 'durationSeconds', 'Member must be a number'));
  else if (n < 900) out.push(violation(value, 'durationSeconds', 'Member must have value greater than or equal to 900'));
  else if (n > 43200) out.push(violation(value, 'durationSeconds', 'Member must have value less than or equal to 43200'));
}

/** Flattened list `Prefix.member.N[.suffix]` → values in index order. */
function memberList(p: Params, prefix: string, suffix: string): { index: number; value: string | undefined }[] {
  const re = new RegExp(`^${prefix}\\.member\\.(\\d+)(?:\\.(.+))?$`);
  const indexes = new Set<number>();
  for (const k of Object.keys(p)) {
    const m = re.exec(k);
    if (m) indexes.add(Number(m[1]));
  }
  return [...indexes]
    .sort((a, b) => a - b)
    .map(index => ({
      index,
      value: p[`${prefix}.member.${index}${suffix === '' ? '' : `.${suffix}`}`]
    }));
}

function throwIfViolations(out: string[]): void {
  if (out.length === 0) return;
  const s = out.length === 1 ? '' : 's';
  throw new StsError(400, 'ValidationError', `${out.length} validation error${s} detected: ${out.join('; ')}`);
}

function commonViolations(p: Params, out: string[]): void {
  checkString(out, p.RoleArn, 'roleArn', { min: 20, max: 2048, required: true });
  checkString(out, p.RoleSessionName, 'roleSessionName', { min: 2, max: 64, required: true, pattern: SESSION_NAME });
  checkString(out, p.Policy, 'policy', { min: 1, max: 2048, pattern: POLICY_CHARS });
  checkDuration(out, p.DurationSeconds);
  const arns = memberList(p, 'PolicyArns', 'arn');
  if (arns.length > 10) out.push(violation(`[${arns.map(a => a.value).join(', ')}]`, 'policyArns', 'Member must have length less than or equal to 10'));
  for (const a of arns) checkString(out, a.value, `policyArns.${a.index}.member.arn`, { min: 20, max: 2048 });
}

function tagViolations(p: Params, out: string[]): void {
  const keys = memberList(p, 'Tags', 'Key');
  if (keys.length > 50) out.push(violation(`[${keys.length} tags]`, 'tags', 'Member must have length less than or equal to 50'));
  for (const { index, value } of keys) {
    checkString(out, value, `tags.${index}.member.key`, { min: 1, max: 128, required: true, pattern: TAG_KEY });
    checkString(out, p[`Tags.member.${index}.Value`], `tags.${index}.member.value`, { min: 0, max: 256, required: true, pattern: TAG_VALUE });
  }
  const transitive = memberList(p, 'TransitiveTagKeys', '');
  if (transitive.length > 50) out.push(violation(`[${transitive.length} keys]`, 'transitiveTagKeys', 'Member must have length less than or equal to 50'));
  for (const { index, value } of transitive) {
    checkString(out, value, `transitiveTagKeys.${index}.member`, { min: 1, max: 128, pattern: TAG_KEY });
  }
}

function assumeRoleViolations(p: Params): void {
  const out: string[] = [];
  commonViolations(p, out);
  tagViolations(p, out);
  checkString(out, p.ExternalId, 'externalId', { min: 2, max: 1224, pattern: EXTERNAL_ID });
  checkString(out, p.SourceIdentity, 'sourceIdentity', { min: 2, max: 64, pattern: SESSION_NAME });
  checkString(out, p.SerialNumber, 'serialNumber', { min: 9, max: 256, pattern: SERIAL });
  checkString(out, p.TokenCode, 'tokenCode', { min: 6, max: 6, pattern: TOKEN_CODE });
  throwIfViolations(out);
}

function webIdentityViolations(p: Params): void {
  // Approximation: real STS has no Tags parameter on this operation (tags come from the token's
  // https://aws.amazon.com/tags claim); rejecting instead of ignoring surfaces a caller bug loudly.
  if (Object.keys(p).some(k => k.startsWith('Tags.') || k.startsWith('TransitiveTagKeys.'))) {
    throw new StsError(400, 'ValidationError', 'AssumeRoleWithWebIdentity does not accept Tags or TransitiveTagKeys; session tags come from the token claim https://aws.amazon.com/tags');
  }
  const out: string[] = [];
  commonViolations(p, out);
  checkString(out, p.WebIdentityToken, 'webIdentityToken', { min: 4, max: 20000, required: true });
  checkString(out, p.ProviderId, 'providerId', { min: 4, max: 2048 });
  throwIfViolations(out);
}

/** Parses the validated parameters shared by both assume operations. */
function assumeParams(p: Params): AssumeParams {
  if (!ROLE_ARN.test(p.RoleArn ?? '')) throw new StsError(400, 'ValidationError', 'Request ARN is invalid');
  const tags = memberList(p, 'Tags', 'Key').map(({ index, value }): [string, string] => [value ?? '', p[`Tags.member.${index}.Value`] ?? '']);
  return {
    roleArn: p.RoleArn ?? '',
    sessionName: p.RoleSessionName ?? '',
    durationSeconds: p.DurationSeconds === undefined ? undefined : Number(p.DurationSeconds),
    policy: sessionPolicy(p.Policy),
    policyChars: p.Policy?.length ?? 0,
    policyArns: memberList(p, 'PolicyArns', 'arn').map(a => a.value ?? ''),
    tags,
    transitiveTagKeys: memberList(p, 'TransitiveTagKeys', '').map(t => t.value ?? ''),
    externalId: p.ExternalId,
    sourceIdentity: p.SourceIdentity
  };
}

function sessionPolicy(text: string | undefined): PolicyDocument | undefined {
  if (text === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new StsError(400, 'MalformedPolicyDocument', 'Syntax errors in policy.');
  }
  const problems = policyProblems(doc, 'session');
  if (problems.length > 0) throw new StsError(400, 'MalformedPolicyDocument', problems[0] ?? 'Syntax errors in policy.');
  return normalisePolicy(doc as Record<string, unknown>);
}

/** Tag rules beyond the model's per-field constraints. */
function checkTagSemantics(req: AssumeParams, inherited: Record<string, string>): void {
  const seen = new Set<string>();
  for (const [key] of req.tags) {
    const lower = key.toLowerCase();
    if (seen.has(lower)) {
      throw new StsError(400, 'InvalidParameterValue', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    }
    seen.add(lower);
    if (lower.startsWith('aws:')) throw new StsError(400, 'InvalidParameterValue', `Tag keys starting with 'aws:' are reserved: ${key}`);
    // IAM User Guide: passing a tag with the same key as an inherited transitive tag fails.
    if (Object.keys(inherited).some(k => k.toLowerCase() === lower)) {
      throw new StsError(400, 'InvalidParameterValue', `Tag key ${key} conflicts with a transitive tag inherited from the calling session.`);
    }
  }
  for (const key of req.transitiveTagKeys) {
    if (!seen.has(key.toLowerCase())) {
      throw new StsError(400, 'InvalidParameterValue', 'The specified transitive tag key must be included in the requested tags.');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// AssumeRole

function assumeRole(state: State, caller: Caller, p: Params, now: Date): Success {
  assumeRoleViolations(p);
  const req = assumeParams(p);
  const inherited = caller.kind === 'session' ? transitiveTagsOf(caller.session.issued) : {};
  checkTagSemantics(req, inherited);
  const role = authorizeAssumeRole(caller, state.roles.get(req.roleArn), req, assumeRoleContext(caller, req, now));
  checkRoleDuration(role, req.durationSeconds, caller.kind === 'session');
  const packed = packedPolicySize(state, req.tags, req.policyChars, req.policyArns.length);
  const sourceIdentity = req.sourceIdentity ?? (caller.kind === 'session' ? caller.session.sourceIdentity : undefined);
  const session = issueSession(state, role, req, 'AssumeRole', now, {
    tags: { ...inherited, ...Object.fromEntries(req.tags) },
    transitiveTagKeys: [...Object.keys(inherited), ...req.transitiveTagKeys],
    sourceAccessKeyId: caller.accessKeyId,
    sourceIdentity
  });
  return {
    op: 'AssumeRole',
    result: [['SourceIdentity', sourceIdentity], assumedRoleUserXml(session), credentialsXml(session.issued), ['PackedPolicySize', packed]]
  };
}

function transitiveTagsOf(s: IssuedSession): Record<string, string> {
  return Object.fromEntries(s.transitiveTagKeys.map(k => [k, s.tags[k] ?? '']));
}

/** Every action the request needs, each checked like real STS: AssumeRole, then TagSession, then SetSourceIdentity. */
function authorizeAssumeRole(caller: Caller, role: RoleRecord | undefined, req: AssumeParams, ctx: ConditionContext): RoleRecord {
  const actions = ['sts:AssumeRole'];
  if (req.tags.length > 0 || req.transitiveTagKeys.length > 0) actions.push('sts:TagSession');
  if (req.sourceIdentity !== undefined) actions.push('sts:SetSourceIdentity');
  for (const action of actions) {
    if (!role || !callerMayAssume(caller, role, action, ctx)) {
      // A missing role gets the same text as a denied one, so role existence does not leak.
      throw new StsError(403, 'AccessDenied', `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${req.roleArn}`);
    }
  }
  if (!role) throw new Error('unreachable: the loop above rejects a missing role');
  return role;
}

/**
 * sts.md §6: the trust policy must allow the caller, nothing may deny, and unless the trust policy
 * names the caller exactly within the same account, the caller's identity policy must allow too.
 */
function callerMayAssume(caller: Caller, role: RoleRecord, action: string, ctx: ConditionContext): boolean {
  const trust = evaluatePolicy(role.config.trustPolicy, { action, principal: principalOf(caller), context: ctx });
  if (trust.decision !== 'Allow') return false;
  const request = { action, resource: role.arn, context: ctx };
  const identityPolicy = caller.kind === 'user' ? caller.user.policy : caller.session.role.config.policy;
  const identity = identityPolicy ? evaluatePolicy(identityPolicy, request).decision : 'ImplicitDeny';
  if (identity === 'Deny') return false;
  // A session policy only ever narrows what the calling session may do.
  const scoped = caller.kind === 'session' ? caller.session.sessionPolicy : undefined;
  if (scoped && evaluatePolicy(scoped, request).decision !== 'Allow') return false;
  const namedDirectly = caller.account === role.account && trust.principalMatch === 'exact';
  return namedDirectly || identity === 'Allow';
}

function principalOf(caller: Caller): PrincipalRef {
  const ids = caller.kind === 'user' ? [caller.arn] : [caller.session.role.arn, caller.arn];
  return { type: 'AWS', ids, account: caller.account };
}

function assumeRoleContext(caller: Caller, req: AssumeParams, now: Date): ConditionContext {
  const ctx: ConditionContext = {
    ...baseContext(now, req),
    'sts:ExternalId': req.externalId,
    'sts:SourceIdentity': req.sourceIdentity,
    'aws:PrincipalAccount': caller.account
  };
  Object.assign(ctx, tagContext(req.tags, req.transitiveTagKeys));
  if (caller.kind === 'user') {
    Object.assign(ctx, {
      'aws:PrincipalArn': caller.arn,
      'aws:PrincipalType': 'User',
      'aws:userid': stableId('AIDA', caller.arn),
      'aws:username': caller.arn.split('/').pop()
    });
  } else {
    const s = caller.session;
    Object.assign(ctx, {
      'aws:PrincipalArn': s.role.arn,
      'aws:PrincipalType': 'AssumedRole',
      'aws:userid': `${s.role.roleId}:${s.sessionName}`,
      'aws:MultiFactorAuthPresent': 'false',
      'aws:SourceIdentity': s.sourceIdentity
    });
    for (const [k, v] of Object.entries(s.issued.tags)) ctx[`aws:PrincipalTag/${k}`] = v;
  }
  return ctx;
}

function baseContext(now: Date, req: AssumeParams): ConditionContext {
  return {
    'sts:RoleSessionName': req.sessionName,
    'aws:CurrentTime': isoSeconds(now),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000))
  };
}

function tagContext(tags: [string, string][], transitive: string[]): ConditionContext {
  const ctx: ConditionContext = {};
  for (const [k, v] of tags) ctx[`aws:RequestTag/${k}`] = v;
  if (tags.length > 0) ctx['aws:TagKeys'] = tags.map(([k]) => k);
  if (transitive.length > 0) ctx['sts:TransitiveTagKeys'] = transitive;
  return ctx;
}

/** Duration rules that depend on the role and on chaining (checked after authorization). */
function checkRoleDuration(role: RoleRecord, requested: number | undefined, chaining: boolean): void {
  if (chaining && requested !== undefined && requested > 3600) {
    throw new StsError(400, 'ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if ((requested ?? 3600) > role.maxSessionDuration) {
    throw new StsError(400, 'ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }
}

/**
 * Approximation of the packed (compressed) size: real STS compresses policies and tags with an
 * undisclosed scheme. With `maxPackedTagChars` the tag characters are measured against it;
 * otherwise a nominal estimate is reported (never over 99 %). Undefined when nothing was packed.
 */
function packedPolicySize(state: State, tags: [string, string][], policyChars: number, arnCount: number): number | undefined {
  if (tags.length === 0 && policyChars === 0 && arnCount === 0) return undefined;
  const tagChars = tags.reduce((n, [k, v]) => n + k.length + v.length, 0);
  const max = state.options.maxPackedTagChars;
  if (max !== undefined) {
    const percent = Math.ceil((100 * tagChars) / max);
    if (tagChars > max) {
      throw new StsError(400, 'PackedPolicyTooLarge', `Packed policy consumes ${percent}% of allotted space, please use smaller policy for request.`);
    }
    return Math.max(1, percent);
  }
  return Math.min(99, Math.max(1, Math.ceil((100 * (tagChars + policyChars / 4 + arnCount * 16)) / 2048)));
}

// ---------------------------------------------------------------------------------------------
// AssumeRoleWithWebIdentity

interface VerifiedToken {
  claims: JwtClaims;
  provider: OidcProviderConfig;
  providerArn: string;
  audience: string;
  subject: string;
}

function assumeRoleWithWebIdentity(state: State, p: Params, now: Date): Success {
  webIdentityViolations(p);
  const req = assumeParams(p);
  const [, partition = 'aws', roleAccount = ''] = ROLE_ARN.exec(req.roleArn) ?? [];
  const token = verifyWebIdentityToken(state, p.WebIdentityToken ?? '', partition, roleAccount, now);
  const tokenTags = tokenSessionTags(token.claims);
  const request: AssumeParams = { ...req, tags: tokenTags.tags, transitiveTagKeys: tokenTags.transitive };
  const role = state.roles.get(req.roleArn);
  if (!role || !federatedMayAssume(role, token, request, now)) {
    throw new StsError(403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
  }
  checkRoleDuration(role, req.durationSeconds, false);
  const packed = packedPolicySize(state, request.tags, req.policyChars, req.policyArns.length);
  const session = issueSession(state, role, req, 'AssumeRoleWithWebIdentity', now, {
    tags: Object.fromEntries(request.tags),
    transitiveTagKeys: request.transitiveTagKeys,
    sourceAccessKeyId: undefined,
    sourceIdentity: undefined
  });
  return {
    op: 'AssumeRoleWithWebIdentity',
    result: [
      ['SubjectFromWebIdentityToken', token.subject],
      ['Audience', token.audience],
      assumedRoleUserXml(session),
      credentialsXml(session.issued),
      ['Provider', token.provider.url],
      ['PackedPolicySize', packed]
    ]
  };
}

const INVALID_JWT = 'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)';
const NO_KEY = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

/** Token checks in STS's order: shape, provider, audience, signature, then time. */
function verifyWebIdentityToken(state: State, token: string, partition: string, roleAccount: string, now: Date): VerifiedToken {
  const decoded = decodeJwt(token);
  if (!decoded.ok) throw invalidToken(INVALID_JWT);
  const claims = decoded.jwt.payload;
  const iss = stringClaim(claims, 'iss');
  if (iss === undefined) throw invalidToken('Missing a required claim: iss');
  const url = iss.replace(/^https:\/\//, '').replace(/\/$/, '');
  const provider = iss.startsWith('https://') ? (state.options.oidcProviders ?? []).find(pr => pr.url === url && pr.account === roleAccount) : undefined;
  if (!provider) throw invalidToken(`No OpenIDConnect provider found in your account for ${iss}`);
  const auds = audiences(claims);
  if (auds.length === 0) throw invalidToken('Missing a required claim: aud');
  const audience = auds.find(a => provider.clientIds.includes(a));
  if (audience === undefined) throw invalidToken('Incorrect token audience');
  checkTokenSignature(decoded.jwt, provider);
  checkTokenTimes(claims, now);
  const subject = stringClaim(claims, 'sub');
  if (subject === undefined) throw invalidToken('Missing a required claim: sub');
  return { claims, provider, providerArn: `arn:${partition}:iam::${provider.account}:oidc-provider/${provider.url}`, audience, subject };
}

function checkTokenSignature(jwt: Parameters<typeof verifyJwtSignature>[0], provider: OidcProviderConfig): void {
  const result = verifyJwtSignature(jwt, provider.jwks);
  if (result.ok) return;
  if (result.reason === 'no-matching-key') throw invalidToken(NO_KEY);
  if (result.reason === 'unsupported-alg') throw invalidToken(`Unsupported token signing algorithm: ${String(jwt.header.alg)}`);
  // Approximation: the exact real text for a bad signature is not documented.
  throw invalidToken('The signature of the web identity token could not be verified.');
}

function checkTokenTimes(claims: JwtClaims, now: Date): void {
  const nowSec = Math.floor(now.getTime() / 1000);
  const exp = numericDate(claims, 'exp');
  if (exp === undefined) throw invalidToken('Missing a required claim: exp');
  if (nowSec >= exp) {
    throw new StsError(400, 'ExpiredTokenException', `Token expired: current date/time ${nowSec} must be before the expiration date/time ${Math.floor(exp)}`);
  }
  const nbf = numericDate(claims, 'nbf');
  if (nbf !== undefined && nowSec < nbf) {
    throw invalidToken(`Token is not yet valid: current date/time ${nowSec} must be after the not-before date/time ${Math.floor(nbf)}`);
  }
}

function invalidToken(message: string): StsError {
  return new StsError(400, 'InvalidIdentityToken', message);
}

/** Session tags from the `https://aws.amazon.com/tags` claim (principal_tags + transitive_tag_keys). */
function tokenSessionTags(claims: JwtClaims): { tags: [string, string][]; transitive: string[] } {
  const claim = claims['https://aws.amazon.com/tags'];
  if (typeof claim !== 'object' || claim === null) return { tags: [], transitive: [] };
  const record = claim as Record<string, unknown>;
  const principal = (record.principal_tags ?? {}) as Record<string, unknown>;
  const tags = Object.entries(principal).map(([k, v]): [string, string] => [k, String(Array.isArray(v) ? v[0] : v)]);
  const transitive = Array.isArray(record.transitive_tag_keys) ? record.transitive_tag_keys.map(String) : [];
  return { tags, transitive };
}

/** Trust policy only: Federated principal = provider ARN; no caller identity policy is involved. */
function federatedMayAssume(role: RoleRecord, token: VerifiedToken, req: AssumeParams, now: Date): boolean {
  const ctx: ConditionContext = {
    ...baseContext(now, req),
    ...tagContext(req.tags, req.transitiveTagKeys),
    'aws:FederatedProvider': token.providerArn,
    [`${token.provider.url}:sub`]: token.subject,
    [`${token.provider.url}:aud`]: token.audience
  };
  for (const claim of OIDC_CLAIM_KEYS) ctx[`${token.provider.url}:${claim}`] = stringClaim(token.claims, claim);
  const principal: PrincipalRef = { type: 'Federated', ids: [token.providerArn] };
  const actions = ['sts:AssumeRoleWithWebIdentity', ...(req.tags.length > 0 ? ['sts:TagSession'] : [])];
  return actions.every(action => evaluatePolicy(role.config.trustPolicy, { action, principal, context: ctx }).decision === 'Allow');
}

// ---------------------------------------------------------------------------------------------
// Credential issuance

interface IssueExtras {
  tags: Record<string, string>;
  transitiveTagKeys: string[];
  sourceAccessKeyId: string | undefined;
  sourceIdentity: string | undefined;
}

function issueSession(state: State, role: RoleRecord, req: AssumeParams, via: StsAction, now: Date, extras: IssueExtras): SessionRecord {
  const lifetime = state.options.sessionLifetimeSeconds ?? req.durationSeconds ?? 3600;
  // Whole seconds, so the Expiration we print is exactly when the key stops working.
  const expiration = new Date(Math.floor(now.getTime() / 1000) * 1000 + lifetime * 1000);
  const issued: IssuedSession = {
    accessKeyId: `ASIA${randomChars(16)}`,
    secretAccessKey: secretKey(),
    sessionToken: sessionToken(),
    expiration,
    assumedRoleArn: `arn:${role.partition}:sts::${role.account}:assumed-role/${role.name}/${req.sessionName}`,
    roleArn: role.arn,
    viaAction: via,
    tags: extras.tags,
    transitiveTagKeys: extras.transitiveTagKeys
  };
  if (extras.sourceAccessKeyId !== undefined) issued.sourceAccessKeyId = extras.sourceAccessKeyId;
  const record: SessionRecord = { issued, role, sessionName: req.sessionName, sessionPolicy: req.policy, sourceIdentity: extras.sourceIdentity };
  state.sessionsByKey.set(issued.accessKeyId, record);
  state.sessions.push(issued);
  return record;
}

function mintSession(state: State, roleArn: string, sessionName: string, durationSeconds = 3600): IssuedSession {
  const role = state.roles.get(roleArn);
  if (!role) throw new Error(`mintSession: no role ${roleArn} in this STS stand-in`);
  const req: AssumeParams = {
    roleArn,
    sessionName,
    durationSeconds,
    policy: undefined,
    policyChars: 0,
    policyArns: [],
    tags: [],
    transitiveTagKeys: [],
    externalId: undefined,
    sourceIdentity: undefined
  };
  const extras: IssueExtras = { tags: {}, transitiveTagKeys: [], sourceAccessKeyId: undefined, sourceIdentity: undefined };
  return issueSession(state, role, req, 'AssumeRole', new Date(), extras).issued;
}

function assumedRoleUserXml(s: SessionRecord): XmlNode {
  return [
    'AssumedRoleUser',
    [
      ['AssumedRoleId', `${s.role.roleId}:${s.sessionName}`],
      ['Arn', s.issued.assumedRoleArn]
    ]
  ];
}

function credentialsXml(c: IssuedSession): XmlNode {
  return [
    'Credentials',
    [
      ['AccessKeyId', c.accessKeyId],
      ['SecretAccessKey', c.secretAccessKey],
      ['SessionToken', c.sessionToken],
      ['Expiration', isoSeconds(c.expiration)]
    ]
  ];
}

/** 40 random base64 characters, like real secrets: about 72% hold a `+` or `/`, the rest none. */
function secretKey(): string {
  return randomBytes(30).toString('base64');
}

/** Long opaque base64, shaped like real tokens (which start with the protobuf prefix IQoJb3JpZ2luX2Vj). */
function sessionToken(): string {
  return `IQoJb3JpZ2luX2Vj${randomBytes(384).toString('base64')}`;
}

function randomChars(n: number): string {
  return Array.from({ length: n }, () => BASE32[randomInt(BASE32.length)]).join('');
}

/** Deterministic id (AIDA…/AROA…) per ARN, so ids are stable across calls and server restarts. */
function stableId(prefix: string, seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  return prefix + Array.from(digest.subarray(0, 16), b => BASE32[b % 32]).join('');
}

function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
