// The local credentials server's logic, apart from the process (serve.ts) so tests drive it with a
// fake clock and the stand-ins: the container-credentials JSON every AWS SDK and both CLIs read, from
// credentials held in memory and re-assumed once less than the margin is left, one refresh at a time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { describeError, StepError } from '../errors.js';
import { SERVER_PATH, SHUTDOWN_PATH, NONCE_HEADER } from '../export/refresh-server.js';
import { plainLine } from '../log-text.js';
import type { Clock } from '../ports.js';
import type { SessionCredentials } from '../types.js';

export const SERVER_NAME = 'aws-assume-role-action refresh-credentials server';
/** Re-assume once less than this is left: clients refresh a few minutes before expiry themselves. */
export const MARGIN_MS = 5 * 60 * 1000;

export interface ServiceOptions {
  credentials: SessionCredentials;
  /** One walk of the plan: fresh OIDC token (or token file), AssumeRoleWithWebIdentity, each chain hop. */
  assume(): Promise<SessionCredentials>;
  clock: Pick<Clock, 'now'>;
  authorization: string;
  nonce: string;
  marginMs?: number;
}

export interface ServiceRequest {
  method: string;
  path: string;
  authorization?: string;
  nonce?: string;
}

export interface ServiceAnswer {
  status: number;
  body: string;
  /** True once the post step asked, with this run's nonce, for the server to stop. */
  shutdown?: boolean;
}

export interface CredentialService {
  handle(request: ServiceRequest): Promise<ServiceAnswer>;
  /** How many times it re-assumed: the bench and the tests count them. */
  refreshes(): number;
}

/** Compared in constant time over digests, so neither length nor content leaks through timing. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function failure(status: number, code: string, message: string): ServiceAnswer {
  // The SDKs and CLIs quote a container provider's error body: the message names this action.
  return { status, body: JSON.stringify({ Code: code, Message: `${SERVER_NAME}: ${plainLine(message)}` }) };
}

export function containerJson(credentials: SessionCredentials): string {
  return JSON.stringify({
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    Token: credentials.sessionToken,
    Expiration: credentials.expiration?.toISOString()
  });
}

export function credentialService(options: ServiceOptions): CredentialService {
  const margin = options.marginMs ?? MARGIN_MS;
  let current = options.credentials;
  let pending: Promise<SessionCredentials> | undefined;
  let count = 0;
  const left = (credentials: SessionCredentials): number => (credentials.expiration ? credentials.expiration.getTime() - options.clock.now() : Infinity);

  // Single flight: every request that finds the credentials near their end waits on the same walk.
  const refresh = (): Promise<SessionCredentials> => {
    pending ??= options.assume().then(
      fresh => {
        count += 1;
        current = fresh;
        pending = undefined;
        return fresh;
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      }
    );
    return pending;
  };

  const credentials = async (): Promise<ServiceAnswer> => {
    if (left(current) > margin) return { status: 200, body: containerJson(current) };
    try {
      return { status: 200, body: containerJson(await refresh()) };
    } catch (error) {
      // Still valid for a while: serve them (with their real Expiration) and try again on the next call.
      if (left(current) > 0) return { status: 200, body: containerJson(current) };
      const reason = error instanceof StepError ? error.message : describeError(error);
      return failure(500, 'RefreshFailed', `could not re-assume the role: ${reason}`);
    }
  };

  return {
    refreshes: () => count,
    async handle(request) {
      if (request.path === SHUTDOWN_PATH && request.method === 'POST') {
        if (!sameSecret(request.nonce, options.nonce)) return failure(403, 'AccessDenied', 'not the run that started this server');
        return { status: 200, body: '{}', shutdown: true };
      }
      if (request.path !== SERVER_PATH) return failure(404, 'NotFound', `no such path; credentials are served at ${SERVER_PATH}`);
      if (request.method !== 'GET') return failure(405, 'MethodNotAllowed', 'only GET');
      if (!sameSecret(request.authorization, options.authorization)) {
        return failure(401, 'AccessDenied', 'the Authorization header does not match AWS_CONTAINER_AUTHORIZATION_TOKEN of this job');
      }
      return credentials();
    }
  };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The service over HTTP on 127.0.0.1 only. Request bodies are never read (nothing the protocol sends
 * has one); each answer closes its connection so nothing lingers. `onShutdown` runs after the answer.
 */
export function listenLocal(service: CredentialService, onShutdown: () => void): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    void service
      .handle({ method: request.method ?? '', path, authorization: header(request, 'authorization'), nonce: header(request, NONCE_HEADER) })
      .then(answer => {
        response.writeHead(answer.status, { 'content-type': 'application/json', connection: 'close' });
        response.end(answer.body, () => {
          if (answer.shutdown) onShutdown();
        });
      })
      // handle() answers every failure itself; this only keeps a bug from leaving the client waiting.
      .catch(() => response.destroy());
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}
