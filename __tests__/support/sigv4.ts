// AWS Signature Version 4 verification for the local STS stand-in (sts.md §7), plus a signer so
// tests can forge requests real SDKs would never send (skewed clocks, wrong scopes).
// Pure functions over node:crypto; the server maps the results to STS error codes.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** What the verifier needs from an HTTP request, exactly as received. */
export interface RawRequest {
  method: string;
  /** Path as sent (still percent-encoded), without the query. */
  path: string;
  /** Query string as sent, without the leading `?` ('' when none). */
  query: string;
  /** Node's `IncomingMessage.rawHeaders`: name, value, name, value… (keeps repeats and order). */
  rawHeaders: string[];
  body: Buffer;
}

export interface SigV4Auth {
  form: 'header' | 'query';
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
  /** `YYYYMMDDTHHMMSSZ` from X-Amz-Date (or the Date header). */
  amzDate: string;
  securityToken: string | undefined;
  /** X-Amz-Expires of a presigned request. */
  expiresSeconds: number | undefined;
}

export type AuthParse = { kind: 'none' } | { kind: 'malformed'; message: string; accessKeyId: string | undefined } | { kind: 'ok'; auth: SigV4Auth };

export const ALGORITHM = 'AWS4-HMAC-SHA256';
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');
const QUERY_AUTH_KEYS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];

// ---------------------------------------------------------------------------------------------
// Parsing

/** Finds the SigV4 parameters in the Authorization header, else in the query (presigned form). */
export function parseAuth(req: RawRequest): AuthParse {
  const header = headerValues(req.rawHeaders, 'authorization')[0];
  if (header !== undefined) return parseHeaderAuth(req, header);
  const query = parseQuery(req.query);
  if (QUERY_AUTH_KEYS.some(k => query.has(k))) return parseQueryAuth(query);
  return { kind: 'none' };
}

function parseHeaderAuth(req: RawRequest, header: string): AuthParse {
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space < 0 ? trimmed : trimmed.slice(0, space);
  const fields = parseAuthFields(space < 0 ? '' : trimmed.slice(space + 1));
  const amzDate = requestAmzDate(req.rawHeaders);
  const missing = [
    fields.get('Credential') === undefined ? "Authorization header requires 'Credential' parameter." : '',
    fields.get('Signature') === undefined ? "Authorization header requires 'Signature' parameter." : '',
    fields.get('SignedHeaders') === undefined ? "Authorization header requires 'SignedHeaders' parameter." : '',
    amzDate === undefined ? "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header." : ''
  ].filter(m => m !== '');
  const keyId = fields.get('Credential')?.split('/')[0];
  if (algorithm !== ALGORITHM) {
    return { kind: 'malformed', message: `Unsupported AWS 'algorithm': '${algorithm}'`, accessKeyId: keyId };
  }
  if (missing.length > 0) {
    return { kind: 'malformed', message: `${missing.join(' ')} Authorization=${trimmed}`, accessKeyId: keyId };
  }
  return buildAuth(
    'header',
    fields.get('Credential') ?? '',
    fields.get('SignedHeaders') ?? '',
    fields.get('Signature') ?? '',
    amzDate ?? '',
    headerValues(req.rawHeaders, 'x-amz-security-token')[0],
    undefined
  );
}

/** `Credential=a/b, SignedHeaders=x;y, Signature=z` → map (AWS tolerates missing spaces). */
function parseAuthFields(rest: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of rest.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

function parseQueryAuth(query: Map<string, string>): AuthParse {
  const absent = QUERY_AUTH_KEYS.filter(k => !query.has(k));
  const keyId = query.get('X-Amz-Credential')?.split('/')[0];
  if (absent.length > 0) {
    const message =
      "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', " + "'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.";
    return { kind: 'malformed', message, accessKeyId: keyId };
  }
  if (query.get('X-Amz-Algorithm') !== ALGORITHM) {
    return { kind: 'malformed', message: `Unsupported AWS 'algorithm': '${query.get('X-Amz-Algorithm') ?? ''}'`, accessKeyId: keyId };
  }
  const expires = query.get('X-Amz-Expires');
  return buildAuth(
    'query',
    query.get('X-Amz-Credential') ?? '',
    query.get('X-Amz-SignedHeaders') ?? '',
    query.get('X-Amz-Signature') ?? '',
    query.get('X-Amz-Date') ?? '',
    query.get('X-Amz-Security-Token'),
    expires === undefined ? undefined : Number(expires)
  );
}

function buildAuth(
  form: 'header' | 'query',
  credential: string,
  signedHeaders: string,
  signature: string,
  amzDate: string,
  securityToken: string | undefined,
  expiresSeconds: number | undefined
): AuthParse {
  const parts = credential.split('/');
  if (parts.length !== 5) {
    const message = `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`;
    return { kind: 'malformed', message, accessKeyId: parts[0] };
  }
  const [accessKeyId, scopeDate, region, service, terminator] = parts as [string, string, string, string, string];
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) {
    return { kind: 'malformed', message: `Invalid X-Amz-Date '${amzDate}': expected format YYYYMMDD'T'HHMMSS'Z'`, accessKeyId };
  }
  const headers = signedHeaders
    .split(';')
    .map(h => h.trim().toLowerCase())
    .filter(h => h !== '');
  if (!headers.includes('host')) {
    return { kind: 'malformed', message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", accessKeyId };
  }
  const auth: SigV4Auth = {
    form,
    accessKeyId,
    scopeDate,
    region,
    service,
    terminator,
    signedHeaders: headers,
    signature,
    amzDate,
    securityToken,
    expiresSeconds
  };
  return { kind: 'ok', auth };
}

/** X-Amz-Date, else the HTTP Date header converted to the compact ISO form. */
function requestAmzDate(rawHeaders: string[]): string | undefined {
  const amz = headerValues(rawHeaders, 'x-amz-date')[0];
  if (amz !== undefined) return amz.trim();
  const date = headerValues(rawHeaders, 'date')[0];
  if (date === undefined) return undefined;
  const ms = Date.parse(date);
  return Number.isNaN(ms) ? undefined : toAmzDate(new Date(ms));
}

// ---------------------------------------------------------------------------------------------
// Checks that precede the signature comparison (messages are the real STS texts)

/** Scope problems → a SignatureDoesNotMatch message, or undefined when the scope is right. */
export function scopeProblem(auth: SigV4Auth, expectedRegion: string, expectedService = 'sts'): string | undefined {
  if (auth.terminator !== 'aws4_request') {
    return `Credential should be scoped with a valid terminator: 'aws4_request', not '${auth.terminator}'.`;
  }
  if (auth.scopeDate !== auth.amzDate.slice(0, 8)) {
    return `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate}' != '${auth.amzDate.slice(0, 8)}', from '${auth.amzDate}'.`;
  }
  if (auth.region !== expectedRegion) return 'Credential should be scoped to a valid region.';
  if (auth.service !== expectedService) return `Credential should be scoped to correct service: '${expectedService}'.`;
  return undefined;
}

/** Clock skew (and presigned expiry) → the "Signature expired/not yet current" text, or undefined. */
export function clockProblem(auth: SigV4Auth, now: Date, skewSeconds: number): string | undefined {
  const signedAt = amzDateToMs(auth.amzDate);
  const nowStr = toAmzDate(now);
  const minutes = `${Math.round(skewSeconds / 60)} min.`;
  if (signedAt > now.getTime() + skewSeconds * 1000) {
    const limit = toAmzDate(new Date(now.getTime() + skewSeconds * 1000));
    return `Signature not yet current: ${auth.amzDate} is still later than ${limit} (${nowStr} + ${minutes})`;
  }
  if (auth.form === 'query') return presignExpiryProblem(auth, signedAt, now);
  if (signedAt < now.getTime() - skewSeconds * 1000) {
    const limit = toAmzDate(new Date(now.getTime() - skewSeconds * 1000));
    return `Signature expired: ${auth.amzDate} is now earlier than ${limit} (${nowStr} - ${minutes})`;
  }
  return undefined;
}

/** A presigned URL is valid from X-Amz-Date for X-Amz-Expires seconds (≤ 7 days) instead of ±skew. */
function presignExpiryProblem(auth: SigV4Auth, signedAt: number, now: Date): string | undefined {
  const expires = auth.expiresSeconds ?? 900;
  if (!Number.isInteger(expires) || expires < 1 || expires > 604800) {
    return 'X-Amz-Expires must be between 1 and 604800 seconds';
  }
  const expiry = new Date(signedAt + expires * 1000);
  if (now.getTime() > expiry.getTime()) {
    return `Signature expired: ${auth.amzDate} is now earlier than ${toAmzDate(new Date(now.getTime() - expires * 1000))} (${toAmzDate(now)} - ${expires} sec.)`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Canonicalisation and signature

/** The canonical request exactly as the client must have built it. */
export function canonicalRequest(req: RawRequest, auth: SigV4Auth): string {
  const headers = auth.signedHeaders.map(h => `${h}:${canonicalHeaderValue(req.rawHeaders, h)}\n`).join('');
  const excluded = auth.form === 'query' ? 'X-Amz-Signature' : undefined;
  return [req.method.toUpperCase(), canonicalUri(req.path), canonicalQuery(req.query, excluded), headers, auth.signedHeaders.join(';'), payloadHash(req)].join('\n');
}

/** Repeated headers join with ','; each value is trimmed with inner whitespace runs collapsed. */
function canonicalHeaderValue(rawHeaders: string[], name: string): string {
  return headerValues(rawHeaders, name)
    .map(v =>
      v
        .replace(/[\r\n]/g, ' ')
        .replace(/[ \t]+/g, ' ')
        .trim()
    )
    .join(',');
}

/**
 * The body hash over the bytes received. A client may declare it in x-amz-content-sha256 (the
 * signer then uses that header verbatim); a declaration that does not match the body is returned
 * as-is so the signature fails, because trusting it would let a body be swapped after signing.
 */
function payloadHash(req: RawRequest): string {
  const actual = req.body.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(req.body).digest('hex');
  const declared = headerValues(req.rawHeaders, 'x-amz-content-sha256')[0]?.trim();
  if (declared === undefined) return actual;
  if (declared === 'UNSIGNED-PAYLOAD' && req.body.length === 0) return declared;
  return declared === actual ? actual : `mismatch:${declared}`;
}

/** Non-S3 services: dot segments removed, each (already encoded) segment encoded again. */
export function canonicalUri(rawPath: string): string {
  const out: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(uriEncode(seg));
  }
  const trailing = out.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return `/${out.join('/')}${trailing}`;
}

/** Pairs decoded then re-encoded with RFC 3986 rules, sorted by name then value. */
export function canonicalQuery(rawQuery: string, excludedName?: string): string {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeQueryComponent(eq < 0 ? part : part.slice(0, eq));
    if (name === excludedName) continue;
    pairs.push([uriEncode(name), uriEncode(decodeQueryComponent(eq < 0 ? '' : part.slice(eq + 1)))]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an === bn ? compare(av, bv) : compare(an, bn)));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every byte outside A-Z a-z 0-9 - _ . ~ as %XX, upper-case hex. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeQueryComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s; // malformed escapes: sign the raw text, as a lenient server would
  }
}

export function stringToSign(auth: SigV4Auth, canonical: string): string {
  const scope = `${auth.scopeDate}/${auth.region}/${auth.service}/${auth.terminator}`;
  return [ALGORITHM, auth.amzDate, scope, sha256Hex(canonical)].join('\n');
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secret}`, date);
  return hmac(hmac(hmac(kDate, region), service), 'aws4_request');
}

/** The signature the server expects for this request and secret. */
export function expectedSignature(req: RawRequest, auth: SigV4Auth, secret: string): string {
  const key = signingKey(secret, auth.scopeDate, auth.region, auth.service);
  return hmac(key, stringToSign(auth, canonicalRequest(req, auth))).toString('hex');
}

/** Constant-time comparison of the provided and expected signatures. */
export function signatureMatches(req: RawRequest, auth: SigV4Auth, secret: string): boolean {
  const expected = Buffer.from(expectedSignature(req, auth, secret), 'utf8');
  const provided = Buffer.from(auth.signature, 'utf8');
  // timingSafeEqual throws on length mismatch; a wrong length leaks nothing secret.
  return provided.length === expected.length && timingSafeEqual(provided, expected);
}

// ---------------------------------------------------------------------------------------------
// Signer (for tests)

export interface SignInput {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string | Buffer;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region: string;
  service?: string;
  date?: Date;
  /** Produce a presigned URL instead of an Authorization header. */
  presignExpiresSeconds?: number;
}

/** Signs like the SDKs do; returns the headers to send and the (possibly presigned) URL. */
export function signRequest(input: SignInput): { url: URL; headers: Record<string, string> } {
  const amzDate = toAmzDate(input.date ?? new Date());
  const service = input.service ?? 'sts';
  const headers: Record<string, string> = { ...input.headers, host: input.url.host };
  const url = new URL(input.url.toString());
  const presign = input.presignExpiresSeconds !== undefined;
  if (presign) addPresignParams(url, input, amzDate, service);
  else {
    headers['x-amz-date'] = amzDate;
    if (input.sessionToken !== undefined) headers['x-amz-security-token'] = input.sessionToken;
  }
  const signed = Object.keys(headers)
    .map(h => h.toLowerCase())
    .sort();
  if (presign) url.searchParams.set('X-Amz-SignedHeaders', signed.join(';'));
  const raw = toRawRequest(input.method, url, headers, input.body);
  const auth: SigV4Auth = {
    form: presign ? 'query' : 'header',
    accessKeyId: input.accessKeyId,
    scopeDate: amzDate.slice(0, 8),
    region: input.region,
    service,
    terminator: 'aws4_request',
    signedHeaders: signed,
    signature: '',
    amzDate,
    securityToken: input.sessionToken,
    expiresSeconds: input.presignExpiresSeconds
  };
  const signature = expectedSignature(raw, auth, input.secretAccessKey);
  if (presign) url.searchParams.set('X-Amz-Signature', signature);
  else
    headers.authorization = `${ALGORITHM} Credential=${input.accessKeyId}/${auth.scopeDate}/${input.region}/${service}/aws4_request, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
  return { url, headers };
}

function addPresignParams(url: URL, input: SignInput, amzDate: string, service: string): void {
  url.searchParams.set('X-Amz-Algorithm', ALGORITHM);
  url.searchParams.set('X-Amz-Credential', `${input.accessKeyId}/${amzDate.slice(0, 8)}/${input.region}/${service}/aws4_request`);
  url.searchParams.set('X-Amz-Date', amzDate);
  url.searchParams.set('X-Amz-Expires', String(input.presignExpiresSeconds));
  if (input.sessionToken !== undefined) url.searchParams.set('X-Amz-Security-Token', input.sessionToken);
}

function toRawRequest(method: string, url: URL, headers: Record<string, string>, body: string | Buffer): RawRequest {
  return {
    method,
    path: url.pathname,
    query: url.search.replace(/^\?/, ''),
    rawHeaders: Object.entries(headers).flat(),
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body
  };
}

// ---------------------------------------------------------------------------------------------
// helpers

/** All values of a header (case-insensitive name), in arrival order. */
export function headerValues(rawHeaders: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === name) out.push(rawHeaders[i + 1] ?? '');
  }
  return out;
}

/** First value of each query parameter, decoded (form rules: `+` is a space). */
export function parseQuery(rawQuery: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(rawQuery)) if (!out.has(k)) out.set(k, v);
  return out;
}

export function toAmzDate(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

export function amzDateToMs(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}
