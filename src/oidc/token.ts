// The job's GitHub OIDC token: one request to the runner's token endpoint, and the claims read back for explanations.
import type { Agent } from 'node:http';

export class IdTokenError extends Error {
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
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      }
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error(`no answer within ${req.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
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
    return typeof message === 'string' ? `: ${message.slice(0, 200)}` : '';
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
