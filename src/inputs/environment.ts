// What the run needs from the runner's environment besides its inputs, read once and named, so that
// no later stage looks at an environment variable.
import { isAbsolute, join } from 'node:path';
import type { Env, IdTokenEndpoint, StaticCredentials, SystemFacts } from '../types.js';
import { nonEmpty } from './reader.js';

export const ID_TOKEN_URL_VARIABLE = 'ACTIONS_ID_TOKEN_REQUEST_URL';
export const ID_TOKEN_TOKEN_VARIABLE = 'ACTIONS_ID_TOKEN_REQUEST_TOKEN';

export const ACTION_NAME = 'aws-assume-role-action';
export const ACTION_VERSION = '1.0.0';

/** Where the AWS CLI and SDKs look for profiles: AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE, else ~/.aws. */
export interface SharedFiles {
  credentials: string;
  config: string;
  /** True when AWS_CONFIG_FILE chose the config file, so later steps must be told where it is. */
  customConfig: boolean;
}

export interface RunnerFacts {
  /** Absent without `permissions: id-token: write`. */
  idToken?: IdTokenEndpoint;
  /** AWS_ACCESS_KEY_ID and friends; 'malformed' when they could never be sent as credentials. */
  credentials?: StaticCredentials | 'malformed';
  /** AWS_SESSION_TOKEN is set: exporting long-term keys must blank it, or it would pair with them. */
  sessionTokenSet: boolean;
  sharedFiles: SharedFiles;
  /** Name, version and the run, so a CloudTrail entry leads back to the workflow run that made it. */
  userAgent: [string, string][];
  /** AWS_SDK_UA_APP_ID, passed to the SDK instead of letting it read the environment itself. */
  appId?: string;
  nodeVersion: string;
}

export function readRunnerFacts(env: Env, system: SystemFacts): RunnerFacts {
  const url = nonEmpty(env[ID_TOKEN_URL_VARIABLE]);
  const bearer = nonEmpty(env[ID_TOKEN_TOKEN_VARIABLE]);
  return {
    idToken: url !== undefined && bearer !== undefined ? { url, bearer } : undefined,
    credentials: environmentCredentials(env),
    sessionTokenSet: nonEmpty(env.AWS_SESSION_TOKEN) !== undefined,
    sharedFiles: sharedFiles(env, system.homedir),
    userAgent: userAgent(env),
    appId: nonEmpty(env.AWS_SDK_UA_APP_ID),
    nodeVersion: system.nodeVersion
  };
}

export function sharedFiles(env: Env, homedir: string): SharedFiles {
  // An empty or relative HOME would put .aws in the working directory (the workspace): the OS home
  // instead, and with neither the path stays relative, which the profile writer refuses.
  const home = [env.HOME, homedir].find(dir => dir !== undefined && isAbsolute(dir)) ?? '';
  const config = nonEmpty(env.AWS_CONFIG_FILE);
  return {
    credentials: nonEmpty(env.AWS_SHARED_CREDENTIALS_FILE) ?? join(home, '.aws', 'credentials'),
    config: config ?? join(home, '.aws', 'config'),
    customConfig: config !== undefined
  };
}

function environmentCredentials(env: Env): StaticCredentials | 'malformed' | undefined {
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
  // They go into a signature and HTTP headers; a line break there fails only inside the SDK, and slowly.
  if (![accessKeyId, secretAccessKey, sessionToken ?? 'none'].every(value => /^[\x21-\x7e]+$/.test(value))) return 'malformed';
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

function userAgent(env: Env): [string, string][] {
  const parts: [string, string][] = [[ACTION_NAME, ACTION_VERSION]];
  const runId = env.GITHUB_RUN_ID ?? '';
  const attempt = env.GITHUB_RUN_ATTEMPT ?? '';
  if (/^\d{1,20}$/.test(runId)) parts.push(['md/run_id', runId]);
  if (/^\d{1,10}$/.test(attempt)) parts.push(['md/run_attempt', attempt]);
  return parts;
}
