// RS256 JWT handling for the local STS stand-in: decode, verify against a JWKS, read claims.
// Pure functions over node:crypto; no network (the stand-in is handed the JWKS up front instead of
// fetching `<issuer>/.well-known/jwks` the way real STS does).
import { createPublicKey, createSign, verify as cryptoVerify } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';

export type JwtClaims = Record<string, unknown>;

export interface JwtHeader {
  alg?: unknown;
  kid?: unknown;
  typ?: unknown;
  [name: string]: unknown;
}

export interface DecodedJwt {
  header: JwtHeader;
  payload: JwtClaims;
  /** `base64url(header).base64url(payload)`: the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

export type DecodeResult = { ok: true; jwt: DecodedJwt } | { ok: false; message: string };

export type VerifyResult = { ok: true; kid: string | undefined } | { ok: false; reason: 'unsupported-alg' | 'no-matching-key' | 'bad-signature'; message: string };

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Splits and parses a compact JWS; never throws (the server maps failures to InvalidIdentityToken). */
export function decodeJwt(token: string): DecodeResult {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every(p => BASE64URL.test(p))) {
    return { ok: false, message: 'not three base64url segments' };
  }
  const [h, p, s] = parts as [string, string, string];
  const header = parseJsonObject(h);
  const payload = parseJsonObject(p);
  if (header === undefined || payload === undefined) {
    return { ok: false, message: 'header or payload is not a JSON object' };
  }
  return { ok: true, jwt: { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') } };
}

function parseJsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Verifies an RS256 signature. The key is chosen by `kid`; a token without `kid` is tried against
 * every RSA key (STS accepts that when the JWKS itself has no kid, see eks-pod-identity-webhook #12).
 */
export function verifyJwtSignature(jwt: DecodedJwt, jwks: { keys: JsonWebKey[] }): VerifyResult {
  // Pin the algorithm: accepting the header's `alg` blindly is the classic `none`/HS256 confusion.
  if (jwt.header.alg !== 'RS256') {
    return { ok: false, reason: 'unsupported-alg', message: `unsupported alg ${String(jwt.header.alg)}` };
  }
  const kid = typeof jwt.header.kid === 'string' ? jwt.header.kid : undefined;
  const candidates = jwks.keys.filter(k => k.kty === 'RSA' && (kid === undefined || k.kid === kid));
  if (candidates.length === 0) {
    return { ok: false, reason: 'no-matching-key', message: `no RSA key with kid ${String(kid)}` };
  }
  const data = Buffer.from(jwt.signingInput, 'ascii');
  const good = candidates.some(jwk => rsaVerifies(jwk, data, jwt.signature));
  return good ? { ok: true, kid } : { ok: false, reason: 'bad-signature', message: 'signature does not verify' };
}

function rsaVerifies(jwk: JsonWebKey, data: Buffer, signature: Buffer): boolean {
  try {
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    return cryptoVerify('RSA-SHA256', data, key, signature);
  } catch {
    return false; // an unusable key in the set must not turn into a 500
  }
}

/** The `aud` claim as a list (it may be a string or an array). */
export function audiences(claims: JwtClaims): string[] {
  const aud = claims.aud;
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
}

/** A NumericDate claim (seconds since epoch; floats allowed), or undefined when absent/invalid. */
export function numericDate(claims: JwtClaims, name: string): number | undefined {
  const v = claims[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A string claim; numbers are stringified because GitHub sends ids as strings but others do not. */
export function stringClaim(claims: JwtClaims, name: string): string | undefined {
  const v = claims[name];
  if (typeof v === 'string') return v;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/**
 * Test helper (the counterpart of verification): signs claims with RS256, as GitHub's OIDC issuer
 * does. `header` extras are merged in, so a test can forge e.g. `alg: 'none'` or drop the kid.
 */
export function signJwt(claims: JwtClaims, privateKey: KeyObject, kid: string | undefined, header: JwtHeader = {}): string {
  const h: JwtHeader = { alg: 'RS256', typ: 'JWT', ...(kid === undefined ? {} : { kid }), ...header };
  const input = `${b64url(JSON.stringify(h))}.${b64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
