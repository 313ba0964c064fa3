import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
  type Credentials as SdkCredentials,
  type STSClientConfig
} from '@aws-sdk/client-sts';
import type { Agent } from 'node:http';
import type { StaticCredentials } from './inputs.js';

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

export interface RoleRequest {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  inlineSessionPolicy?: string;
  managedSessionPolicies: string[];
}

export interface AssumeRoleRequest extends RoleRequest {
  externalId?: string;
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
  endpoint?: string;
  userAgent: [string, string][];
  requestTimeoutMs: number;
  /** A proxying agent, when the endpoint is reached through a proxy. */
  agent?: Agent;
}

/** Per request, to STS and to the token endpoint: long enough for a slow network, short enough to retry. */
export const REQUEST_TIMEOUT_MS = 10_000;

/** The endpoint the SDK calls when none is configured: STS in the region, in its partition's domain. */
export function defaultEndpoint(region: string): string {
  return `https://sts.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

export function connectSts(connection: StsConnection): Sts {
  const client = (credentials?: StaticCredentials): STSClient => new STSClient(clientConfig(connection, credentials));
  return {
    async assumeRole(request, signer) {
      const response = await client(signer).send(
        new AssumeRoleCommand({
          ...roleParameters(request),
          ExternalId: request.externalId,
          Tags: request.tags.length > 0 ? request.tags : undefined,
          TransitiveTagKeys: request.transitiveTagKeys.length > 0 ? request.transitiveTagKeys : undefined
        })
      );
      return session(response.Credentials, response.AssumedRoleUser?.Arn, 'AssumeRole');
    },
    async assumeRoleWithWebIdentity(request, webIdentityToken) {
      const response = await client().send(
        new AssumeRoleWithWebIdentityCommand({ ...roleParameters(request), WebIdentityToken: webIdentityToken })
      );
      return session(response.Credentials, response.AssumedRoleUser?.Arn, 'AssumeRoleWithWebIdentity');
    },
    async getCallerIdentity(credentials) {
      const response = await client(credentials).send(new GetCallerIdentityCommand({}));
      if (!response.Account || !response.Arn || !response.UserId) {
        throw new Error('GetCallerIdentity answered without Account, Arn and UserId');
      }
      return { account: response.Account, arn: response.Arn, userId: response.UserId };
    }
  };
}

function clientConfig(connection: StsConnection, credentials?: StaticCredentials): STSClientConfig {
  return {
    region: connection.region,
    endpoint: connection.endpoint,
    // Explicit credentials only: the SDK's default chain must never decide who is asking.
    credentials: credentials === undefined ? undefined : { ...credentials },
    // Retries are ours (retry.ts), classified and counted once; the SDK's would multiply them.
    maxAttempts: 1,
    customUserAgent: connection.userAgent,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    requestHandler: {
      connectionTimeout: Math.min(5000, connection.requestTimeoutMs),
      requestTimeout: connection.requestTimeoutMs,
      // Without this the handler only logs a warning when requestTimeout passes, and keeps waiting.
      throwOnRequestTimeout: true,
      ...(connection.agent === undefined ? {} : { httpAgent: connection.agent, httpsAgent: connection.agent })
    }
  };
}

function roleParameters(request: RoleRequest) {
  return {
    RoleArn: request.roleArn,
    RoleSessionName: request.sessionName,
    DurationSeconds: request.durationSeconds,
    Policy: request.inlineSessionPolicy,
    PolicyArns: request.managedSessionPolicies.length > 0 ? request.managedSessionPolicies.map(arn => ({ arn })) : undefined
  };
}

function session(credentials: SdkCredentials | undefined, assumedRoleArn: string | undefined, operation: string): AssumedSession {
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken || !assumedRoleArn) {
    throw new Error(`${operation} answered without complete credentials`);
  }
  return {
    credentials: {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration: credentials.Expiration
    },
    assumedRoleArn
  };
}
