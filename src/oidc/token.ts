// The job's GitHub OIDC token: one request to the runner's token endpoint, and the claims read back for explanations.
import type { Agent } from 'node:http';
import { JWT_PATTERN } from '../aws-names.js';
import { ActionError, AnswerError } from '../errors.js';
import { preview } from '../log-text.js';

/** The most a token endpoint answer may hold: a token is a few KB; a huge answer would fill the memory. */
export const MAX_TOKEN_ANSWER_BYTES = 64 * 1024;

export class IdTokenError extends ActionError {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'IdTokenError';
    this.status = status;
  }
}

export interface IdTokenRequest {
  url: string;
  bearer: string;
  audience: string;
  /** For the whole request, answer included: a server that drips its answer is cut off too. */
  timeoutMs: number;
  agent?: Agent;
}

/** One request to the job's token endpoint; retrying is the caller's decision. */
export async function requestIdToken(req: IdTokenRequest): Promise<string> {
  const url = new URL(req.url);
  url.searchParams.set('audience', req.audience);
  const { status, body } = await get(url, req);
  if (status !== 200) {
    throw new IdTokenError(`the GitHub OIDC token endpoint answered HTTP ${status}${endpointMessage(body)}`, status);
  }
  const token = parseTokenBody(body);
  if (token === undefined) throw new IdTokenError('the GitHub OIDC token endpoint answered without a token (no "value" field)', status);
  // Never quoted: it is a secret, and not yet masked.
  if (!JWT_PATTERN.test(token)) throw new AnswerError('the GitHub OIDC token endpoint answered a value that is not a JWT (three base64url parts); refusing it');
  return token;
}

async function get(url: URL, req: IdTokenRequest): Promise<{ status: number; body: string }> {
  // Loaded on first use: a run that fails on its inputs never needs an HTTP stack (node:https brings node:tls).
  const send = url.protocol === 'https:' ? (await import('node:https')).request : (await import('node:http')).request;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: 'GET',
        agent: req.agent,
        headers: { Authorization: `Bearer ${req.bearer}`, Accept: 'application/json', 'User-Agent': 'actions/oidc-client' },
        timeout: req.timeoutMs
      },
      response => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_TOKEN_ANSWER_BYTES) request.destroy(new AnswerError(`the GitHub OIDC token endpoint answered more than ${MAX_TOKEN_ANSWER_BYTES / 1024} KiB; refusing to read it`));
          else chunks.push(chunk);
        });
        response.on('end', () => {
          clearTimeout(deadline);
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', reject);
      }
    );
    // A total deadline: the socket's own timeout only measures silence, and a dripping server is never silent.
    const deadline = setTimeout(() => request.destroy(Object.assign(new Error(`no complete answer within ${req.timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })), req.timeoutMs);
    request.on('close', () => clearTimeout(deadline));
    request.on('error', reject);
    request.end();
  });
}

function parseTokenBody(body: string): string | undefined {
  try {
    const value = (JSON.parse(body) as { value?: unknown }).value;
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

function endpointMessage(body: string): string {
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    return typeof message === 'string' ? `: ${preview(message, 200)}` : '';
  } catch {
    return '';
  }
}

/** The claims trust policies test, read (never verified) from a token for explanations. */
export function tokenClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (payload === undefined) return {};
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
