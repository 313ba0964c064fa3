import { diagnoseAssumeRole, diagnoseWebIdentity, isRefusal, roleParts, type Caller } from './diagnose.js';
import { maskCredentials } from './export.js';
import { tokenClaims } from './oidc.js';
import { completeRoleArn, type Plan, type RoleTarget, type SignedSource } from './plan.js';
import { DEFAULT_BACKOFF, describeError, withRetry } from './retry.js';
import type { Runtime } from './runtime.js';
import type { AssumedSession, RoleRequest, Sts, Tag } from './sts.js';
import { sessionTags } from './tags.js';

type AssumePlan = Extract<Plan, { kind: 'assume' }>;

/** A failure with the message a person needs; the cause's details are already in it. */
export class StepError extends Error {
  override name = 'StepError';
  /** For a refusal: what to change and where; the message holds it too, and the job summary shows it. */
  diagnosis?: string;
}

export interface Retried {
  <T>(what: string, call: (attempt: number) => Promise<T>, retryable?: (error: unknown, attempt: number) => boolean): Promise<T>;
}

export function retrier(plan: Plan, rt: Runtime): Retried {
  const policy = { maxAttempts: plan.maxAttempts, ...DEFAULT_BACKOFF };
  return (what, call, retryable) => withRetry(call, { what, policy, pause: rt.pause, log: m => rt.out.info(m), retryable });
}

/** Walks the plan's source to a role session, then each chained hop; credentials are masked the moment they arrive. */
export async function assumeRole(plan: AssumePlan, sts: Sts, rt: Runtime): Promise<AssumedSession> {
  const retried = retrier(plan, rt);
  const hops = 1 + plan.chain.length;
  let session = arrived(rt, await assumeFromSource(plan, sts, rt, retried), hops > 1 ? `Hop 1 of ${hops}: assumed` : 'Assumed');
  // Transitive tags pass to every later hop, and STS refuses a hop that sends one of those keys again.
  let inherited = plan.target.tagging ? plan.target.transitiveTagKeys : [];
  for (const [index, hop] of plan.chain.entries()) {
    const previous = plan.chain[index - 1] ?? plan.target;
    const signer: SignedSource = { kind: 'environment', credentials: session.credentials };
    const caller = { arn: session.assumedRoleArn, roleArn: previous.role.kind === 'arn' ? previous.role.arn : undefined };
    session = await assumeWithCredentials(hop, signer, sts, rt, retried, { caller, inheritedTagKeys: inherited });
    checkHopRole(hop, session);
    session = arrived(rt, session, `Hop ${index + 2} of ${hops}: assumed`);
    inherited = [...inherited, ...hop.transitiveTagKeys];
  }
  return session;
}

function arrived(rt: Runtime, session: AssumedSession, verb: string): AssumedSession {
  maskCredentials(rt.out, session.credentials);
  const expires = session.credentials.expiration;
  rt.out.info(`${verb} ${session.assumedRoleArn}${expires ? `; the credentials expire at ${expires.toISOString()}` : ''}`);
  return session;
}

/** A hop's session must belong to the role asked for: the next hop trusts that role, not whatever came back. */
function checkHopRole(hop: RoleTarget, session: AssumedSession): void {
  const expected = hop.role.kind === 'arn' ? roleParts(hop.role.arn) : undefined;
  const [, partition, , , account, resource] = session.assumedRoleArn.split(':');
  const name = resource?.split('/')[1];
  if (expected && (expected.partition !== partition || expected.account !== account || expected.name !== name)) {
    throw new StepError(`STS answered AssumeRole on ${hop.role.kind === 'arn' ? hop.role.arn : ''} with a session of another role: ${session.assumedRoleArn}`);
  }
}

async function assumeFromSource(plan: AssumePlan, sts: Sts, rt: Runtime, retried: Retried): Promise<AssumedSession> {
  const source = plan.source;
  switch (source.kind) {
    case 'oidc':
      return assumeWithIdToken(plan, sts, rt, retried, source.audience);
    case 'token-file': {
      const token = await rt.readTokenFile(source.path);
      rt.out.setSecret(token);
      return webIdentityCall(plan.target, retried, token, request => sts.assumeRoleWithWebIdentity(request, token));
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
    return webIdentityCall(plan.target, retried, token, request => sts.assumeRoleWithWebIdentity(request, token));
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
  token: string,
  call: (request: RoleRequest) => Promise<AssumedSession>
): Promise<AssumedSession> {
  const roleArn = target.role.kind === 'arn' ? target.role.arn : target.role.name;
  const request = roleRequest(target, roleArn);
  return retried('AssumeRoleWithWebIdentity', () => call(request)).catch((error: unknown) => {
    if (!isRefusal(error)) throw stsFailure('AssumeRoleWithWebIdentity', roleArn, error);
    // Only the decoded claims are used; the token itself never reaches a message.
    throw refused('AssumeRoleWithWebIdentity', roleArn, error, diagnoseWebIdentity({ roleArn, claims: tokenClaims(token), stsMessage: describeError(error) }));
  });
}

interface HopContext {
  /** The previous hop's session, so a refusal can name the caller without another call. */
  caller: Caller;
  inheritedTagKeys: string[];
}

async function assumeWithCredentials(
  target: RoleTarget,
  source: SignedSource,
  sts: Sts,
  rt: Runtime,
  retried: Retried,
  hop?: HopContext
): Promise<AssumedSession> {
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
  const tags = target.tagging ? withoutKeys(sessionTags(await rt.runContext()), hop?.inheritedTagKeys ?? []) : [];
  const request = { ...roleRequest(target, roleArn), externalId: target.externalId, tags, transitiveTagKeys: target.transitiveTagKeys };
  return retried('AssumeRole', () => sts.assumeRole(request, signer)).catch(async (error: unknown) => {
    if (!isRefusal(error)) throw stsFailure('AssumeRole', roleArn, error);
    const caller = hop?.caller ?? (await sourceCaller(sts, signer));
    throw refused('AssumeRole', roleArn, error, diagnoseAssumeRole({ roleArn, caller, tagged: tags.length > 0, externalId: target.externalId !== undefined, stsMessage: describeError(error) }));
  });
}

function withoutKeys(tags: Tag[], keys: string[]): Tag[] {
  const lower = new Set(keys.map(k => k.toLowerCase()));
  return tags.filter(tag => !lower.has(tag.Key.toLowerCase()));
}

/** Who the source credentials are, asked only once a refusal needs explaining; its own failure just leaves the caller unknown. */
async function sourceCaller(sts: Sts, signer: SignedSource['credentials']): Promise<Caller | undefined> {
  try {
    return { arn: (await sts.getCallerIdentity(signer)).arn };
  } catch {
    return undefined;
  }
}

function refused(operation: string, roleArn: string, error: unknown, diagnosis: string): StepError {
  const failure = new StepError(`${operation} for ${roleArn} failed: ${describeError(error)}\n\n${diagnosis}`, { cause: error });
  failure.diagnosis = diagnosis;
  return failure;
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
