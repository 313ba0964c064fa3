// The STS client: the three calls, each signed with exactly the credentials given, over one keep-alive pool.
import type { GetCallerIdentityCommandOutput, Credentials as SdkCredentials, STSClient, STSClientConfig } from '@aws-sdk/client-sts';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { pipeline, Readable, Transform } from 'node:stream';
import { ACCESS_KEY_ID_PATTERN, ACCOUNT_ID_PATTERN, ASSUMED_ROLE_ARN_PATTERN, CALLER_ARN_PATTERN, SECRET_KEY_PATTERN, SESSION_TOKEN_PATTERN, USER_ID_PATTERN } from '../aws-names.js';
import { AnswerError } from '../errors.js';
import { preview } from '../log-text.js';
import { preconnected } from './preconnect.js';
import type { AssumedSession, CallerIdentity, RoleRequest, StaticCredentials, Sts, StsConnection } from '../types.js';

/** The SDK classes this module uses, loaded on demand (see `src/sdk/index.ts`). */
export type StsSdk = typeof import('../sdk/index.js');

/**
 * `loadSdk` brings in the SDK when STS is first needed, not at startup: runs that fail on their inputs
 * never pay for it. It starts on the next turn of the event loop, so on the OIDC path the token
 * request is already on its way and the SDK loads while it is answered.
 */
export function connectSts(connection: StsConnection, loadSdk: () => Promise<StsSdk>, now: () => number = Date.now): Sts {
  const sdk: Promise<StsSdk> = new Promise(resolve => setImmediate(resolve)).then(loadSdk);
  sdk.catch(() => undefined); // a failed load is reported by the call that awaits it
  // One keep-alive pool for the run's calls, so GetCallerIdentity reuses the assume call's connection.
  // Made now, not after an await: the connection must be on its way before the SDK load takes the thread.
  const agents: Agents = connection.agent ? { httpAgent: connection.agent, httpsAgent: connection.agent } : keepAliveAgents(new URL(connection.endpoint));
  // The run's clock offset, learnt from STS's answers: a client per call would forget it.
  const clock = { offsetMs: 0 };
  const client = async (credentials?: StaticCredentials): Promise<STSClient> =>
    new (await sdk).STSClient({ ...clientConfig(connection, agents, credentials), systemClockOffset: clock.offsetMs });
  type Call<Output> = (sts: STSClient, options: { abortSignal: AbortSignal }) => Promise<Output>;
  const attempt = <Output>(credentials: StaticCredentials | undefined, call: Call<Output>): Promise<Output> =>
    withDeadline(connection.requestTimeoutMs, async abortSignal => {
      const sts = withBodyCap(await client(credentials), abortSignal);
      try {
        const answer = call(sts, { abortSignal });
        // The SDK signs and writes the request in the microtasks after `call`; the check phase after
        // them is the first moment the step only waits.
        setImmediate(() => connection.onWaiting?.());
        return await answer;
      } finally {
        // Every signed answer (success or refusal) carries STS's time; the SDK updated the offset from it.
        clock.offsetMs = sts.config.systemClockOffset;
      }
    });
  const send = <Output>(credentials: StaticCredentials | undefined, call: Call<Output>): Promise<Output> =>
    signedAgainIfSkewed(
      () => attempt(credentials, call),
      () => connection.onClockCorrected?.(clock.offsetMs)
    ).catch((error: unknown) => {
      throw unreadable(error) ?? error;
    });
  return {
    async assumeRole(request, signer) {
      const { AssumeRoleCommand } = await sdk;
      const command = new AssumeRoleCommand({
        ...roleParameters(request),
        ExternalId: request.externalId,
        SourceIdentity: request.sourceIdentity,
        Tags: request.tags.length > 0 ? request.tags : undefined,
        TransitiveTagKeys: request.transitiveTagKeys.length > 0 ? request.transitiveTagKeys : undefined
      });
      const response = await send(signer, (sts, options) => sts.send(command, options));
      return session(response.Credentials, response.AssumedRoleUser?.Arn, 'AssumeRole', now());
    },
    async assumeRoleWithWebIdentity(request, webIdentityToken) {
      const { AssumeRoleWithWebIdentityCommand } = await sdk;
      const command = new AssumeRoleWithWebIdentityCommand({ ...roleParameters(request), WebIdentityToken: webIdentityToken });
      const response = await send(undefined, (sts, options) => sts.send(command, options));
      return session(response.Credentials, response.AssumedRoleUser?.Arn, 'AssumeRoleWithWebIdentity', now());
    },
    async getCallerIdentity(credentials) {
      const { GetCallerIdentityCommand } = await sdk;
      return callerIdentity(await send(credentials, (sts, options) => sts.send(new GetCallerIdentityCommand({}), options)));
    }
  };
}

/** The most an STS answer may hold: real ones are a few KB; a huge one would fill the memory. */
export const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * One request, with a total deadline: the SDK's requestTimeout (and Node's socket timeout) only
 * measure silence, so a server sending a byte every few seconds would hold the step for ever. Named
 * TimeoutError, so it is retried like any other timeout.
 */
export async function withDeadline<T>(ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = Object.assign(new Error(`no complete answer within ${ms / 1000} s`), { name: 'TimeoutError' });
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([call(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** The client, reading at most MAX_ANSWER_BYTES of an answer's body. */
function withBodyCap(sts: STSClient, abortSignal: AbortSignal): STSClient {
  // Between the handler and the deserializer: the body is capped before the SDK collects it.
  sts.middlewareStack.add(next => async args => capBody(await next(args), abortSignal), { step: 'deserialize', priority: 'low', name: 'answerSizeCap' });
  return sts;
}

function capBody<T extends { response: unknown }>(result: T, abortSignal: AbortSignal): T {
  const response = result.response as { body?: unknown };
  if (!(response.body instanceof Readable)) return result;
  const body = response.body;
  let size = 0;
  const capped = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done(size > MAX_ANSWER_BYTES ? new AnswerError(`STS answered more than ${MAX_ANSWER_BYTES / 1024} KiB; refusing to read it`) : null, chunk);
    }
  });
  // A deadline that passes mid-body ends the read at once, and frees the socket.
  abortSignal.addEventListener('abort', () => body.destroy(), { once: true });
  response.body = pipeline(body, capped, () => undefined);
  return result;
}

/**
 * A runner clock minutes off gets every signature refused ("Signature expired" / "not yet current").
 * The SDK learns the offset from the answer's Date header; a refusal it marked as corrected is
 * signed again once, with the corrected clock.
 */
async function signedAgainIfSkewed<T>(call: () => Promise<T>, corrected: () => void): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if ((error as { $metadata?: { clockSkewCorrected?: boolean } }).$metadata?.clockSkewCorrected !== true) throw error;
    corrected();
    return call();
  }
}

interface Agents {
  httpAgent: HttpAgent;
  httpsAgent: HttpAgent | HttpsAgent;
}

/** What the SDK's handler creates for itself when given none (keepAlive, maxSockets 50), but shared, and already connecting to STS. */
function keepAliveAgents(endpoint: URL): Agents {
  // node:http and node:https are loaded with the module anyway (connection.ts builds proxy agents from them).
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 50 });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 50 });
  if (endpoint.protocol === 'https:') preconnected(httpsAgent, endpoint);
  else preconnected(httpAgent, endpoint);
  return { httpAgent, httpsAgent };
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
    // environment; clock skew correction stays on (see signedAgainIfSkewed).
    retryMode: 'standard',
    authSchemePreference: [],
    userAgentAppId: () => Promise.resolve(connection.appId),
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

/** The credentials and ARN of an AssumeRole* answer, refused unless each has its shape and the session is still valid. */
function session(credentials: SdkCredentials | undefined, assumedRoleArn: string | undefined, operation: string, now: number): AssumedSession {
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken || !assumedRoleArn) {
    throw new AnswerError(`${operation} answered without complete credentials`);
  }
  // The values themselves are never quoted: they are secrets, and not yet masked.
  if (!ACCESS_KEY_ID_PATTERN.test(credentials.AccessKeyId)) throw unusable(operation, 'an AccessKeyId that is not 16-128 letters, digits or _');
  if (!SECRET_KEY_PATTERN.test(credentials.SecretAccessKey)) throw unusable(operation, 'a SecretAccessKey that is not 16-128 base64 characters');
  if (!SESSION_TOKEN_PATTERN.test(credentials.SessionToken)) throw unusable(operation, 'a SessionToken that is not base64');
  const expiration = credentials.Expiration;
  if (!(expiration instanceof Date) || Number.isNaN(expiration.getTime())) throw unusable(operation, 'credentials without a valid Expiration');
  if (expiration.getTime() <= now) throw unusable(operation, `credentials that expired at ${expiration.toISOString()}`);
  if (!ASSUMED_ROLE_ARN_PATTERN.test(assumedRoleArn)) {
    throw unusable(operation, `an AssumedRoleUser ARN that is not arn:<partition>:sts::<account>:assumed-role/<role>/<session>: '${preview(assumedRoleArn)}'`);
  }
  return {
    credentials: {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      expiration
    },
    assumedRoleArn
  };
}

/** GetCallerIdentity's answer, refused unless the account is 12 digits and the ARN a principal of that account. */
function callerIdentity(response: GetCallerIdentityCommandOutput): CallerIdentity {
  const { Account: account, Arn: arn, UserId: userId } = response;
  if (!account || !arn || !userId) throw new AnswerError('GetCallerIdentity answered without Account, Arn and UserId');
  if (!ACCOUNT_ID_PATTERN.test(account)) throw unusable('GetCallerIdentity', `an Account that is not 12 digits: '${preview(account)}'`);
  const match = CALLER_ARN_PATTERN.exec(arn);
  if (match?.[3] !== account) throw unusable('GetCallerIdentity', `an Arn that is not a principal of account ${account}: '${preview(arn)}'`);
  if (!USER_ID_PATTERN.test(userId)) throw unusable('GetCallerIdentity', `a UserId that is not 1-256 letters, digits or _+=,.@:-: '${preview(userId)}'`);
  return { account, arn, userId };
}

/** A success the SDK could not parse: said plainly (the SDK's text points at a hidden field), and not retried. */
function unreadable(error: unknown): AnswerError | undefined {
  // The SDK appends its hint to whatever the body read threw: our own refusal (the size cap) included.
  if (error instanceof AnswerError) return new AnswerError(error.message.split('\n')[0] ?? error.message);
  const facts = error as { message?: unknown; $response?: { statusCode?: unknown } } | undefined;
  const status = facts?.$response?.statusCode;
  if (typeof status !== 'number' || status < 200 || status > 299 || typeof facts?.message !== 'string') return undefined;
  if (!facts.message.includes('Deserialization error')) return undefined;
  return new AnswerError(`STS answered HTTP ${status} with a body that is not an STS answer (not XML of the expected shape); refusing it`, { cause: error });
}

function unusable(operation: string, what: string): AnswerError {
  return new AnswerError(`${operation} answered ${what}; refusing it`);
}
