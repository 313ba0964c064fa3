import { maskCredentials } from './export.js';
import { completeRoleArn, type Plan, type RoleTarget, type SignedSource } from './plan.js';
import { DEFAULT_BACKOFF, describeError, withRetry } from './retry.js';
import type { Runtime } from './runtime.js';
import type { AssumedSession, RoleRequest, Sts } from './sts.js';
import { sessionTags } from './tags.js';

type AssumePlan = Extract<Plan, { kind: 'assume' }>;

/** A failure with the message a person needs; the cause's details are already in it. */
export class StepError extends Error {
  override name = 'StepError';
}

export interface Retried {
  <T>(what: string, call: (attempt: number) => Promise<T>, retryable?: (error: unknown, attempt: number) => boolean): Promise<T>;
}

export function retrier(plan: Plan, rt: Runtime): Retried {
  const policy = { maxAttempts: plan.maxAttempts, ...DEFAULT_BACKOFF };
  return (what, call, retryable) => withRetry(call, { what, policy, pause: rt.pause, log: m => rt.out.info(m), retryable });
}

/** Walks the plan's source to a role session; credentials are masked the moment they arrive. */
export async function assumeRole(plan: AssumePlan, sts: Sts, rt: Runtime): Promise<AssumedSession> {
  const retried = retrier(plan, rt);
  const session = await assumeFromSource(plan, sts, rt, retried);
  maskCredentials(rt.out, session.credentials);
  const expires = session.credentials.expiration;
  rt.out.info(`Assumed ${session.assumedRoleArn}${expires ? `; the credentials expire at ${expires.toISOString()}` : ''}`);
  return session;
}

async function assumeFromSource(plan: AssumePlan, sts: Sts, rt: Runtime, retried: Retried): Promise<AssumedSession> {
  const source = plan.source;
  switch (source.kind) {
    case 'oidc':
      return assumeWithIdToken(plan, sts, rt, retried, source.audience);
    case 'token-file': {
      const token = await rt.readTokenFile(source.path);
      rt.out.setSecret(token);
      return webIdentityCall(plan.target, retried, request => sts.assumeRoleWithWebIdentity(request, token));
    }
    case 'keys':
    case 'environment':
      return assumeWithCredentials(plan.target, source, sts, rt, retried);
  }
}

async function assumeWithIdToken(plan: AssumePlan, sts: Sts, rt: Runtime, retried: Retried, audience: string): Promise<AssumedSession> {
  const attempt = async (): Promise<AssumedSession> => {
    // Fetched right before use: a GitHub token lives five minutes.
    const token = await retried('GitHub OIDC token request', () => rt.requestIdToken(audience)).catch((error: unknown) => {
      throw new StepError(`Could not get a GitHub OIDC token for audience '${audience}': ${describeError(error)}`);
    });
    rt.out.setSecret(token);
    return webIdentityCall(plan.target, retried, request => sts.assumeRoleWithWebIdentity(request, token));
  };
  try {
    return await attempt();
  } catch (error) {
    if (!isExpiredWebIdentityToken(error)) throw error;
    rt.out.info('STS found the OIDC token expired; fetching a fresh one and trying once more');
    return attempt();
  }
}

function isExpiredWebIdentityToken(error: unknown): boolean {
  return error instanceof StepError && (error.cause as { name?: unknown } | undefined)?.name === 'ExpiredTokenException';
}

async function webIdentityCall(
  target: RoleTarget,
  retried: Retried,
  call: (request: RoleRequest) => Promise<AssumedSession>
): Promise<AssumedSession> {
  const roleArn = target.role.kind === 'arn' ? target.role.arn : target.role.name;
  const request = roleRequest(target, roleArn);
  return retried('AssumeRoleWithWebIdentity', () => call(request)).catch((error: unknown) => {
    throw stsFailure('AssumeRoleWithWebIdentity', roleArn, error);
  });
}

async function assumeWithCredentials(target: RoleTarget, source: SignedSource, sts: Sts, rt: Runtime, retried: Retried): Promise<AssumedSession> {
  const signer = source.credentials;
  let roleArn: string;
  if (target.role.kind === 'arn') {
    roleArn = target.role.arn;
  } else {
    const caller = await retried('GetCallerIdentity (source credentials)', () => sts.getCallerIdentity(signer)).catch((error: unknown) => {
      throw stsFailure('GetCallerIdentity', 'the source credentials', error);
    });
    roleArn = completeRoleArn(target.role, caller.arn, caller.account);
    rt.out.info(`role-to-assume '${target.role.name}' is ${roleArn} (the source credentials' account)`);
  }
  const tags = target.tagging ? sessionTags(await rt.runContext()) : [];
  const request = { ...roleRequest(target, roleArn), externalId: target.externalId, tags, transitiveTagKeys: target.transitiveTagKeys };
  return retried('AssumeRole', () => sts.assumeRole(request, signer)).catch((error: unknown) => {
    throw stsFailure('AssumeRole', roleArn, error);
  });
}

function roleRequest(target: RoleTarget, roleArn: string): RoleRequest {
  return {
    roleArn,
    sessionName: target.sessionName,
    durationSeconds: target.durationSeconds,
    inlineSessionPolicy: target.inlineSessionPolicy,
    managedSessionPolicies: target.managedSessionPolicies
  };
}

/** STS's own words, the call and the role: what a person needs to fix a trust policy. */
export function stsFailure(operation: string, subject: string, error: unknown): StepError {
  return new StepError(`${operation} for ${subject} failed: ${describeError(error)}`, { cause: error });
}
