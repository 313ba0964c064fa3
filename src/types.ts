// The values every layer passes around. A leaf: imports nothing of the project, so any module may use it.
import type { Agent } from 'node:http';

/** The step's environment variables, read only by the inputs layer (and the post and refresh entries). */
export type Env = Readonly<Record<string, string | undefined>>;

/** The machine facts the environment variables fall back on. */
export interface SystemFacts {
  homedir: string;
  nodeVersion: string;
  /** Where the AWS CLI looks for its files differs on Windows (USERPROFILE); absent: POSIX rules. */
  platform?: NodeJS.Platform;
  /** The shared config file's text (size-limited), for the settings the SDK would read from it; absent: none. */
  readConfigFile?: (path: string) => string | undefined;
}

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SessionCredentials extends StaticCredentials {
  expiration?: Date;
}

export interface AssumedSession {
  credentials: SessionCredentials;
  assumedRoleArn: string;
}

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

export interface Tag {
  Key: string;
  Value: string;
}

export type RoleReference = { kind: 'arn'; arn: string } | { kind: 'name'; name: string };

export interface ProxySettings {
  url?: string;
  noProxy: string[];
}

/** Where the job's OIDC token comes from: the runner sets both only with `permissions: id-token: write`. */
export interface IdTokenEndpoint {
  url: string;
  bearer: string;
}

/** The parts of the run that identify it, for session tags; GitHub's context provides them. */
export interface RunContext {
  repository: string;
  workflow: string;
  action: string;
  actor: string;
  sha: string;
  ref: string;
  eventName: string;
  baseRef: string;
  headRef: string;
  runId: string;
  job: string;
  triggeringActor: string;
}

export interface RoleRequest {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  inlineSessionPolicy?: string;
  managedSessionPolicies: string[];
}

export interface AssumeRoleRequest extends RoleRequest {
  externalId?: string;
  sourceIdentity?: string;
  tags: Tag[];
  transitiveTagKeys: string[];
}

/** The three STS calls this action makes; each is signed with exactly the credentials passed. */
export interface Sts {
  assumeRole(request: AssumeRoleRequest, signer: StaticCredentials): Promise<AssumedSession>;
  assumeRoleWithWebIdentity(request: RoleRequest, webIdentityToken: string): Promise<AssumedSession>;
  getCallerIdentity(credentials: StaticCredentials): Promise<CallerIdentity>;
}

export interface StsConnection {
  region: string;
  /** Always explicit: the SDK then neither resolves one itself nor reads one from the environment or ~/.aws/config. */
  endpoint: string;
  userAgent: [string, string][];
  /** AWS_SDK_UA_APP_ID: set here, so the SDK never reads it from the environment itself. */
  appId?: string;
  requestTimeoutMs: number;
  /** A proxying agent, when the endpoint is reached through a proxy. */
  agent?: Agent;
  /** Told when STS refused a signature for clock skew and the call is signed again with STS's time. */
  onClockCorrected?: (offsetMs: number) => void;
  /** Told after each request is on its way, when the step only waits for STS: time for work that must not delay a request. */
  onWaiting?: () => void;
}

/**
 * One remote or file-based provider of the SDK's standard Node chain, asked for the runner's own
 * identity: everything it needs comes from the step's environment, read by the inputs layer.
 */
export type AmbientProvider =
  | { kind: 'profile'; profile: string; credentialsFile: string; configFile: string }
  | { kind: 'container'; fullUri?: string; relativeUri?: string; authorizationToken?: string; authorizationTokenFile?: string }
  | { kind: 'instance-metadata' };

/** What one provider found: credentials, or why it had none (quoted in the error when no provider had any). */
export type AmbientAnswer = { credentials: SessionCredentials } | { missing: string };

/** The runner's own identity: who supplied the credentials, and who they verified as. */
export interface RunnerIdentity {
  credentials: SessionCredentials;
  /** What supplied them, e.g. 'EC2 instance role'. */
  origin: string;
  identity: CallerIdentity;
}
