// refresh-credentials on the main step's side: the local credentials server later steps read through
// the container-credentials protocol, the variables that point them at it, and what the post step
// needs to stop it. The server itself: src/refresh/server.ts (logic) and serve.ts (the process).
import type { SessionCredentials } from '../types.js';
import type { RefreshSpec } from './refresh-spec.js';

/** The path names the action, so a client's "connection refused" after the server died still says whose server it was. */
export const SERVER_PATH = '/aws-assume-role-action/credentials';
export const SHUTDOWN_PATH = '/aws-assume-role-action/shutdown';
/** The header the post step proves itself with: a per-run nonce, not the credentials token. */
export const NONCE_HEADER = 'x-aws-assume-role-nonce';
export const SERVER_STATE = 'refresh-server';

/** What the server needs, handed over its stdin pipe: never argv, the environment or the disk. */
export interface ServeRequest {
  spec: RefreshSpec;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: string };
  /** The value clients send as Authorization (AWS_CONTAINER_AUTHORIZATION_TOKEN): 256 random bits. */
  authorization: string;
  /** What the post step sends to stop it: lets it stop the server, nothing else. */
  nonce: string;
  /** The runner process whose end ends the server. */
  watchPid?: number;
}

export interface RunningServer {
  port: number;
  pid: number;
  authorization: string;
  nonce: string;
  /** Stops it when the export fails after it started: nothing may keep running for a run that exported nothing. */
  stop(): void;
}

/** The port main.ts starts the server through; toolkit.ts spawns dist/refresh/index.js serve, tests run it in process. */
export interface RefreshServerStarter {
  start(spec: RefreshSpec, credentials: SessionCredentials): Promise<RunningServer>;
}

export function serveRequestCredentials(credentials: SessionCredentials): ServeRequest['credentials'] {
  return {
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    expiration: credentials.expiration?.toISOString()
  };
}

/**
 * The container-credentials variables instead of keys or a profile. The key variables go blank
 * because every client prefers them (and profiles) to container credentials; AWS_PROFILE is left as
 * the job set it. AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is left alone: botocore takes a blank one as set
 * and calls 169.254.170.2, so blanking it would break the CLI (a runner that sets it is an ECS task).
 */
export function serverVariables(server: RunningServer, region: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${server.port}${SERVER_PATH}`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: server.authorization,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region
  };
}

/** For the post step: where the server listens, its pid, and the nonce that proves it is this run's. */
export function serverState(server: RunningServer): string {
  return JSON.stringify({ port: server.port, pid: server.pid, nonce: server.nonce });
}
