// The STS client: the three calls, each signed with exactly the credentials given, over one keep-alive pool.
import type { Credentials as SdkCredentials, STSClient, STSClientConfig } from '@aws-sdk/client-sts';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { AssumedSession, RoleRequest, StaticCredentials, Sts, StsConnection } from '../types.js';

/** The SDK classes this module uses, loaded on demand (see `src/sdk/index.ts`). */
export type StsSdk = typeof import('../sdk/index.js');

/**
 * `loadSdk` brings in the SDK when STS is first needed, not at startup: runs that fail on their inputs
 * never pay for it. It starts on the next turn of the event loop, so on the OIDC path the token
 * request is already on its way and the SDK loads while it is answered.
 */
export function connectSts(connection: StsConnection, loadSdk: () => Promise<StsSdk>): Sts {
  const sdk: Promise<StsSdk> = new Promise(resolve => setImmediate(resolve)).then(loadSdk);
  sdk.catch(() => undefined); // a failed load is reported by the call that awaits it
  // One keep-alive pool for the run's calls, so GetCallerIdentity reuses the assume call's connection.
  const agents: Promise<Agents> = connection.agent ? Promise.resolve({ httpAgent: connection.agent, httpsAgent: connection.agent }) : keepAliveAgents();
  const clock = { offsetMs: 0 };
  const send = async <T>(credentials: StaticCredentials | undefined, call: (client: STSClient, sdk: StsSdk) => Promise<T>): Promise<T> => {
    const loaded = await sdk;
    const config = clientConfig(connection, await agents, credentials);
    const client = (): STSClient => new loaded.STSClient({ ...config, systemClockOffset: clock.offsetMs });
    return sendCorrectingClock(client, stsClient => call(stsClient, loaded), clock, connection.onClockCorrected);
  };
  return {
    async assumeRole(request, signer) {
      const response = await send(signer, (client, { AssumeRoleCommand }) =>
        client.send(
          new AssumeRoleCommand({
            ...roleParameters(request),
            ExternalId: request.externalId,
            SourceIdentity: request.sourceIdentity,
            Tags: request.tags.length > 0 ? request.tags : undefined,
            TransitiveTagKeys: request.transitiveTagKeys.length > 0 ? request.transitiveTagKeys : undefined
          })
        )
      );
      return session(response.Credentials, response.AssumedRoleUser?.Arn, 'AssumeRole');
    },
    async assumeRoleWithWebIdentity(request, webIdentityToken) {
      const response = await send(undefined, (client, { AssumeRoleWithWebIdentityCommand }) =>
        client.send(new AssumeRoleWithWebIdentityCommand({ ...roleParameters(request), WebIdentityToken: webIdentityToken }))
      );
      return session(response.Credentials, response.AssumedRoleUser?.Arn, 'AssumeRoleWithWebIdentity');
    },
    async getCallerIdentity(credentials) {
      const response = await send(credentials, (client, { GetCallerIdentityCommand }) => client.send(new GetCallerIdentityCommand({})));
      if (!response.Account || !response.Arn || !response.UserId) {
        throw new Error('GetCallerIdentity answered without Account, Arn and UserId');
      }
      return { account: response.Account, arn: response.Arn, userId: response.UserId };
    }
  };
}

/**
 * A runner clock minutes off gets every signature refused ("Signature expired" / "not yet current").
 * The SDK learns the offset from the answer's Date header and stores it on the client; a client per
 * call would forget it, so the run keeps it (`clock`) and gives it to each new client. A refusal the
 * SDK marked as corrected is signed again once, with the corrected clock.
 */
async function sendCorrectingClock<T>(
  client: () => STSClient,
  call: (client: STSClient) => Promise<T>,
  clock: { offsetMs: number },
  corrected?: (offsetMs: number) => void
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = client();
    try {
      return await call(current);
    } catch (error) {
      if (attempt > 1 || (error as { $metadata?: { clockSkewCorrected?: boolean } }).$metadata?.clockSkewCorrected !== true) throw error;
      corrected?.(current.config.systemClockOffset ?? 0);
    } finally {
      // Every signed answer (success or refusal) carries STS's time; the SDK updated the offset from it.
      clock.offsetMs = current.config.systemClockOffset ?? clock.offsetMs;
    }
  }
}

interface Agents {
  httpAgent: HttpAgent;
  httpsAgent: HttpAgent | HttpsAgent;
}

async function keepAliveAgents(): Promise<Agents> {
  const [http, https] = await Promise.all([import('node:http'), import('node:https')]);
  // What the SDK's handler creates for itself when given none (keepAlive, maxSockets 50), but shared.
  return { httpAgent: new http.Agent({ keepAlive: true, maxSockets: 50 }), httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 50 }) };
}

function clientConfig(connection: StsConnection, agents: Agents, credentials?: StaticCredentials): STSClientConfig {
  return {
    region: connection.region,
    endpoint: connection.endpoint,
    // Explicit credentials only: the SDK's default chain must never decide who is asking.
    credentials: credentials === undefined ? undefined : { ...credentials },
    // Retries are ours (retry.ts), classified and counted once; the SDK's would multiply them.
    maxAttempts: 1,
    // Set here, the SDK does not look these up in ~/.aws/config (which an earlier step of the job may have
    // written): one attempt needs no retry mode; STS is SigV4 only; the app id still comes from the
    // environment; clock skew correction stays on (see sendCorrectingClock).
    retryMode: 'standard',
    authSchemePreference: [],
    userAgentAppId: async () => connection.appId,
    disableClockSkewCorrection: false,
    customUserAgent: connection.userAgent,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    requestHandler: {
      connectionTimeout: Math.min(5000, connection.requestTimeoutMs),
      requestTimeout: connection.requestTimeoutMs,
      // Without this the handler only logs a warning when requestTimeout passes, and keeps waiting.
      throwOnRequestTimeout: true,
      ...agents
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
