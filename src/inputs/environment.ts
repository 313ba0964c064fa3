// What the run needs from the runner's environment besides its inputs, read once and named, so that
// no later stage looks at an environment variable.
import { posix, win32 } from 'node:path';
import type { AmbientProvider, Env, IdTokenEndpoint, StaticCredentials, SystemFacts } from '../types.js';
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
  /** The runner's operating system, where a rule depends on it. */
  platform: NodeJS.Platform;
  /** Where the SDK's standard chain would find the runner's own identity. */
  ambient: AmbientLookup;
}

/**
 * The SDK's standard Node chain, as this step's environment configures it: the same variables the SDK
 * reads, read here so that every provider is given them explicitly.
 */
export interface AmbientLookup {
  /** AWS_ACCESS_KEY_ID and friends; skipped, as by the SDK, when AWS_PROFILE is set. */
  environment?: StaticCredentials;
  /** AWS_PROFILE, else the default profile of the shared files (SSO, credential_process and role_arn included). */
  profile: string;
  profileSet: boolean;
  sharedFiles: SharedFiles;
  /** AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (EKS IRSA). */
  webIdentity?: { tokenFile: string; roleArn: string; sessionName: string };
  /** AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI (ECS, EKS Pod Identity, CodeBuild): EC2 metadata is then not asked. */
  container?: Extract<AmbientProvider, { kind: 'container' }>;
  /** Why EC2 instance metadata is not asked, if it is not. */
  instanceMetadataOff?: string;
}

export function readRunnerFacts(env: Env, system: SystemFacts): RunnerFacts {
  const url = nonEmpty(env[ID_TOKEN_URL_VARIABLE]);
  const bearer = nonEmpty(env[ID_TOKEN_TOKEN_VARIABLE]);
  const credentials = environmentCredentials(env);
  const files = sharedFiles(env, system.homedir, system.platform);
  return {
    idToken: url !== undefined && bearer !== undefined ? { url, bearer } : undefined,
    credentials,
    sessionTokenSet: nonEmpty(env.AWS_SESSION_TOKEN) !== undefined,
    sharedFiles: files,
    userAgent: userAgent(env),
    appId: nonEmpty(env.AWS_SDK_UA_APP_ID),
    nodeVersion: system.nodeVersion,
    platform: system.platform ?? 'linux',
    ambient: ambientLookup(env, typeof credentials === 'object' ? credentials : undefined, files)
  };
}

// The SDK's own default when AWS_ROLE_SESSION_NAME is not set is a timestamp; a fixed name is easier to find in CloudTrail.
const RUNNER_SESSION_NAME = 'github-actions-runner';

function ambientLookup(env: Env, credentials: StaticCredentials | undefined, files: SharedFiles): AmbientLookup {
  const profile = nonEmpty(env.AWS_PROFILE);
  const tokenFile = nonEmpty(env.AWS_WEB_IDENTITY_TOKEN_FILE);
  const roleArn = nonEmpty(env.AWS_ROLE_ARN);
  const sessionName = nonEmpty(env.AWS_ROLE_SESSION_NAME);
  const fullUri = nonEmpty(env.AWS_CONTAINER_CREDENTIALS_FULL_URI);
  const relativeUri = nonEmpty(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI);
  return {
    environment: credentials,
    profile: profile ?? 'default',
    profileSet: profile !== undefined,
    sharedFiles: files,
    webIdentity:
      tokenFile !== undefined && roleArn !== undefined
        ? { tokenFile, roleArn, sessionName: sessionName !== undefined && /^[\w+=,.@-]{2,64}$/.test(sessionName) ? sessionName : RUNNER_SESSION_NAME }
        : undefined,
    container:
      fullUri !== undefined || relativeUri !== undefined
        ? {
            kind: 'container',
            fullUri,
            relativeUri,
            authorizationToken: nonEmpty(env.AWS_CONTAINER_AUTHORIZATION_TOKEN),
            authorizationTokenFile: nonEmpty(env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE)
          }
        : undefined,
    instanceMetadataOff: instanceMetadataOff(env)
  };
}

export function sharedFiles(env: Env, homedir: string, platform: NodeJS.Platform = 'linux'): SharedFiles {
  // The AWS CLI on Windows reads USERPROFILE even when HOME is set (and runners set no HOME for
  // JavaScript actions there); elsewhere HOME. An empty or relative one would put .aws in the working
  // directory (the workspace): the OS home instead, and with neither the path stays relative, which
  // the profile writer refuses.
  const paths = platform === 'win32' ? win32 : posix;
  const candidates = platform === 'win32' ? [env.USERPROFILE, env.HOME, homedir] : [env.HOME, homedir];
  const home = candidates.find(dir => dir !== undefined && paths.isAbsolute(dir)) ?? '';
  const config = nonEmpty(env.AWS_CONFIG_FILE);
  return {
    credentials: nonEmpty(env.AWS_SHARED_CREDENTIALS_FILE) ?? paths.join(home, '.aws', 'credentials'),
    config: config ?? paths.join(home, '.aws', 'config'),
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

function instanceMetadataOff(env: Env): string | undefined {
  const disabled = nonEmpty(env.AWS_EC2_METADATA_DISABLED);
  if (disabled !== undefined && disabled.toLowerCase() !== 'false') return 'AWS_EC2_METADATA_DISABLED is set';
  // A GitHub-hosted runner never has an AWS instance role; its metadata address belongs to another cloud.
  if (env.RUNNER_ENVIRONMENT === 'github-hosted') return 'not asked on a GitHub-hosted runner';
  return undefined;
}

function userAgent(env: Env): [string, string][] {
  const parts: [string, string][] = [[ACTION_NAME, ACTION_VERSION]];
  const runId = env.GITHUB_RUN_ID ?? '';
  const attempt = env.GITHUB_RUN_ATTEMPT ?? '';
  if (/^\d{1,20}$/.test(runId)) parts.push(['md/run_id', runId]);
  if (/^\d{1,10}$/.test(attempt)) parts.push(['md/run_attempt', attempt]);
  return parts;
}
