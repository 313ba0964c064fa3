// `dist/refresh/index.js serve`: the local credentials server as a process the main step starts and the
// post step stops. Its secrets arrive on stdin; it says READY <port> on stdout, then never writes again.
// It ends on the post step's request, on SIGTERM, when the runner process is gone, or after the
// longest job GitHub runs, whichever comes first.
import type { ServeRequest } from '../export/refresh-server.js';
import { processAlive } from '../runtime.js';
import type { StsSdk } from '../sts/client.js';
import type { Env, SessionCredentials } from '../types.js';
import { specAssumer, type HelperIo } from './helper.js';
import { credentialService, listenLocal, SERVER_NAME } from './server.js';

const STDIN_LIMIT = 64 * 1024;
const STDIN_DEADLINE_MS = 10_000;
/** A job runs at most 6 h on GitHub-hosted runners; the margin covers the steps after the longest one. */
export const MAX_LIFETIME_MS = (6 * 60 + 15) * 60 * 1000;
// A signal-0 probe a second costs nothing, and a server outliving its job by more is a process left behind.
const WATCH_INTERVAL_MS = 1_000;

export function readServeRequest(text: string): ServeRequest {
  const parsed = JSON.parse(text) as Partial<Record<keyof ServeRequest, unknown>> & { credentials?: Partial<Record<string, unknown>> };
  const c = parsed.credentials;
  const ok =
    typeof parsed.authorization === 'string' &&
    parsed.authorization.length >= 32 &&
    typeof parsed.nonce === 'string' &&
    parsed.nonce.length >= 16 &&
    typeof parsed.spec === 'object' &&
    parsed.spec !== null &&
    typeof c?.accessKeyId === 'string' &&
    typeof c.secretAccessKey === 'string';
  if (!ok) throw new Error('the request on stdin is not one the main step sends');
  return parsed as unknown as ServeRequest;
}

export function requestCredentials(request: ServeRequest): SessionCredentials {
  const c = request.credentials;
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration ? new Date(c.expiration) : undefined };
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => reject(new Error('no request on stdin within 10 s')), STDIN_DEADLINE_MS);
    process.stdin.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > STDIN_LIMIT) reject(new Error('the request on stdin is larger than 64 KiB'));
      chunks.push(chunk);
    });
    process.stdin.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    process.stdin.on('error', reject);
  });
}

function lazily(make: () => () => Promise<SessionCredentials>): () => Promise<SessionCredentials> {
  let assume: (() => Promise<SessionCredentials>) | undefined;
  return async () => (assume ??= make())();
}

/** Runs until told to stop; returns the exit code for failures before READY (the main step reports them). */
export async function runServe(env: Env, io: HelperIo, loadSdk?: () => Promise<StsSdk>): Promise<number> {
  let request: ServeRequest;
  try {
    request = readServeRequest(await readStdin());
  } catch (error) {
    io.stderr(`${SERVER_NAME}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const service = credentialService({
    credentials: requestCredentials(request),
    // Built at the first refresh, so a setting it cannot use (no id-token variables) is that call's JSON error, not a dead server.
    assume: lazily(() => specAssumer(request.spec, env, { stdout: () => undefined, stderr: () => undefined }, loadSdk)),
    clock: { now: () => Date.now() },
    authorization: request.authorization,
    nonce: request.nonce
  });
  const stop = (): never => process.exit(0);
  const { port } = await listenLocal(service, stop);
  setTimeout(stop, MAX_LIFETIME_MS).unref();
  const watched = request.watchPid;
  if (watched !== undefined) setInterval(() => processAlive(watched) || stop(), WATCH_INTERVAL_MS).unref();
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);
  io.stdout(`READY ${port}\n`);
  return 0;
}
