// Acquire: walks the plan's roles from its source. The OIDC token is fetched right before use, every
// answer is masked the moment it arrives, and only what can succeed on retry is retried.
import { describeError, StepError } from '../errors.js';
import { maskCredentials } from '../mask.js';
import { tokenClaims } from '../oidc/token.js';
import { completeRoleArn, type Plan, type RoleTarget, type SignedSource } from '../plan.js';
import type { Runtime } from '../ports.js';
import { DROPPABLE_TAG_KEYS, sessionTags, withoutDroppableTags } from '../session-tags.js';
import { DEFAULT_BACKOFF, isRetryable, withRetry } from '../sts/retry.js';
import type { AssumedSession, AssumeRoleRequest, IdTokenEndpoint, ProxySettings, RoleRequest, RunnerIdentity, Sts, Tag } from '../types.js';
import { diagnoseAssumeRole, diagnoseWebIdentity, isKeysUnavailable, isRefusal, roleParts, type Caller } from './diagnose.js';

type AssumePlan = Extract<Plan, { kind: 'assume' }>;

export interface Retried {
  <T>(what: string, call: (attempt: number) => Promise<T>, retryable?: (error: unknown, attempt: number) => boolean): Promise<T>;
}

export function retrier(plan: Plan, rt: Runtime): Retried {
  const policy = { maxAttempts: plan.maxAttempts, ...DEFAULT_BACKOFF };
  return (what, call, retryable) => withRetry(call, { what, policy, pause: rt.clock, log: m => rt.out.info(m), debug: m => rt.out.debug(m), retryable });
}

// Secrets without any of these survive tools that split or escape them badly; ~28% of STS secrets qualify.
const SPECIAL_CHARACTERS = /[!@#$%^&*()_+\-=[\]{};':",.<>/?\\|]/;
export const SPECIAL_CHARACTER_ATTEMPTS = 30;

/**
 * A session for `target` from the plan's source, then for each hop of `chain`, each signed with the
 * previous hop's credentials. Credentials are masked the moment they arrive.
 */
export async function assumeRole(plan: AssumePlan, target: RoleTarget, sts: Sts, rt: Runtime, chain: RoleTarget[] = [], runner?: RunnerIdentity): Promise<AssumedSession> {
  const retried = retrier(plan, rt);
  const hops = 1 + chain.length;
  const verb = (hop: number): string => (hops > 1 ? `Hop ${hop} of ${hops}: assumed` : 'Assumed');
  let session = await untilPlainSecret(target, rt, verb(1), () => assumeFromSource(plan, target, sts, rt, retried, runner));
  // Transitive tags pass to every later hop, and STS refuses a hop that sends one of those keys again.
  let inherited = target.tagging ? target.transitiveTagKeys : [];
  for (const [index, hop] of chain.entries()) {
    const previous = chain[index - 1] ?? target;
    const signer: SignedSource = { kind: 'environment', credentials: session.credentials };
    const context: HopContext = {
      caller: { arn: session.assumedRoleArn, roleArn: previous.role.kind === 'arn' ? previous.role.arn : undefined },
      inheritedTagKeys: inherited
    };
    session = await untilPlainSecret(hop, rt, verb(index + 2), async () => checkHopRole(hop, await assumeWithCredentials(hop, signer, sts, rt, retried, context)));
    inherited = [...inherited, ...hop.transitiveTagKeys];
  }
  return session;
}

async function untilPlainSecret(target: RoleTarget, rt: Runtime, verb: string, assume: () => Promise<AssumedSession>): Promise<AssumedSession> {
  for (let attempt = 1; ; attempt++) {
    const session = await assume();
    maskCredentials(rt.out, session.credentials);
    if (!target.avoidSpecialCharacters || !SPECIAL_CHARACTERS.test(session.credentials.secretAccessKey + session.credentials.accessKeyId)) {
      const expires = session.credentials.expiration;
      rt.out.info(`${verb} ${session.assumedRoleArn}${expires ? `; the credentials expire at ${expires.toISOString()}` : ''}`);
      return session;
    }
    if (attempt >= SPECIAL_CHARACTER_ATTEMPTS) {
      throw new StepError(
        `special-characters-workaround: ${attempt} sessions in a row had special characters in their secret key; giving up (STS secrets are random, so this is very unlikely: retry the job)`
      );
    }
    rt.out.info(`special-characters-workaround: the secret key has special characters; assuming the role again (attempt ${attempt + 1} of ${SPECIAL_CHARACTER_ATTEMPTS})`);
  }
}

/** A hop's session must belong to the role asked for: the next hop trusts that role, not whatever came back. */
function checkHopRole(hop: RoleTarget, session: AssumedSession): AssumedSession {
  const expected = hop.role.kind === 'arn' ? roleParts(hop.role.arn) : undefined;
  const [, partition, , , account, resource] = session.assumedRoleArn.split(':');
  const name = resource?.split('/')[1];
  if (expected && (expected.partition !== partition || expected.account !== account || expected.name !== name)) {
    throw new StepError(`STS answered AssumeRole on ${hop.role.kind === 'arn' ? hop.role.arn : ''} with a session of another role: ${session.assumedRoleArn}`);
  }
  return session;
}

/** `runner`: the runner's own identity, found and verified before any role is assumed from it. */
async function assumeFromSource(plan: AssumePlan, target: RoleTarget, sts: Sts, rt: Runtime, retried: Retried, runner?: RunnerIdentity): Promise<AssumedSession> {
  const source = plan.source;
  switch (source.kind) {
    case 'oidc':
      return assumeWithIdToken(target, sts, rt, retried, source, plan.proxy);
    case 'token-file': {
      const read = async (): Promise<string> => {
        const token = await rt.readTokenFile(source.path);
        rt.out.setSecret(token);
        return token;
      };
      return webIdentityCall(target, retried, read, (request, token) => sts.assumeRoleWithWebIdentity(request, token));
    }
    case 'keys':
    case 'environment':
      return assumeWithCredentials(target, source, sts, rt, retried);
    case 'ambient': {
      if (runner === undefined) throw new Error("the runner's own identity must be found before a role is assumed with it");
      // Its identity is known already: a refusal is explained without asking STS again.
      const context: HopContext = { caller: { arn: runner.identity.arn }, inheritedTagKeys: [] };
      return assumeWithCredentials(target, { kind: 'environment', credentials: runner.credentials }, sts, rt, retried, context);
    }
  }
}

async function assumeWithIdToken(
  target: RoleTarget,
  sts: Sts,
  rt: Runtime,
  retried: Retried,
  { audience, endpoint }: { audience: string; endpoint: IdTokenEndpoint },
  proxy: ProxySettings
): Promise<AssumedSession> {
  // Fetched right before use: a GitHub token lives five minutes.
  const fetchToken = async (): Promise<string> => {
    const token = await retried('GitHub OIDC token request', () => rt.requestIdToken(endpoint, audience, proxy)).catch((error: unknown) => {
      throw new StepError(`Could not get a GitHub OIDC token for audience '${audience}': ${describeError(error)}`);
    });
    rt.out.setSecret(token);
    return token;
  };
  const attempt = (): Promise<AssumedSession> => webIdentityCall(target, retried, fetchToken, (request, token) => sts.assumeRoleWithWebIdentity(request, token));
  try {
    return await attempt();
  } catch (error) {
    if (failureName(error) !== 'ExpiredTokenException') throw error;
    rt.out.info('STS found the OIDC token expired; fetching a fresh one and trying once more');
    return attempt();
  }
}

function failureName(error: unknown): unknown {
  return error instanceof StepError ? (error.cause as { name?: unknown } | undefined)?.name : undefined;
}

/**
 * One token, retried like any call; after STS failed to fetch the issuer's keys, the next attempt
 * gets a fresh token first (AWS's advice), within the same attempt budget and backoff.
 */
async function webIdentityCall(
  target: RoleTarget,
  retried: Retried,
  getToken: () => Promise<string>,
  call: (request: RoleRequest, token: string) => Promise<AssumedSession>
): Promise<AssumedSession> {
  const roleArn = target.role.kind === 'arn' ? target.role.arn : target.role.name;
  const request = roleRequest(target, roleArn);
  let token = await getToken();
  let fresh = true;
  const once = async (): Promise<AssumedSession> => {
    if (!fresh) token = await getToken();
    try {
      return await call(request, token);
    } catch (error) {
      fresh = !isKeysUnavailable(error);
      throw error;
    }
  };
  return retried('AssumeRoleWithWebIdentity', once, error => isRetryable(error) || isKeysUnavailable(error)).catch((error: unknown) => {
    if (error instanceof StepError) throw error;
    if (isKeysUnavailable(error)) {
      throw new StepError(
        `AssumeRoleWithWebIdentity for ${roleArn} failed: ${describeError(error)}\nSTS could not fetch the identity provider's signing keys, on every attempt; this is on AWS's side (often many jobs at once): re-run the job`,
        { cause: error }
      );
    }
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

async function assumeWithCredentials(target: RoleTarget, source: SignedSource, sts: Sts, rt: Runtime, retried: Retried, hop?: HopContext): Promise<AssumedSession> {
  const signer = source.credentials;
  const roleArn = await resolveRoleArn(target, source, sts, rt, retried);
  const tags = target.tagging ? withoutKeys(sessionTags(await rt.runContext(), target.customTags), hop?.inheritedTagKeys ?? []) : [];
  const request: AssumeRoleRequest = {
    ...roleRequest(target, roleArn),
    externalId: target.externalId,
    sourceIdentity: target.sourceIdentity,
    tags,
    transitiveTagKeys: target.transitiveTagKeys
  };
  rt.out.debug(
    `AssumeRole ${roleArn}: session tags ${tags.map(tag => tag.Key).join(', ') || 'none'}${hop?.inheritedTagKeys.length ? ` (inherited as transitive, not sent again: ${hop.inheritedTagKeys.join(', ')})` : ''}`
  );
  const assume = (r: AssumeRoleRequest): Promise<AssumedSession> =>
    retried('AssumeRole', () => sts.assumeRole(r, signer)).catch(async (error: unknown) => {
      if (!isRefusal(error)) throw stsFailure('AssumeRole', roleArn, error);
      const caller = hop?.caller ?? (await sourceCaller(sts, signer));
      const facts = {
        roleArn,
        caller,
        tagged: r.tags.length > 0,
        externalId: target.externalId !== undefined,
        sourceIdentity: r.sourceIdentity !== undefined,
        stsMessage: describeError(error)
      };
      throw refused('AssumeRole', roleArn, error, diagnoseAssumeRole(facts));
    });
  try {
    return await assume(request);
  } catch (error) {
    const name = failureName(error);
    const lighter = withoutDroppableTags(tags);
    if ((name !== 'PackedPolicyTooLargeException' && name !== 'PackedPolicyTooLarge') || lighter.length === tags.length) throw error;
    rt.out.info(`STS found the session tags too large (PackedPolicyTooLarge); dropping ${DROPPABLE_TAG_KEYS.join(', ')} and trying once more`);
    return assume({ ...request, tags: lighter, transitiveTagKeys: request.transitiveTagKeys.filter(key => lighter.some(t => t.Key === key)) });
  }
}

async function resolveRoleArn(target: RoleTarget, source: SignedSource, sts: Sts, rt: Runtime, retried: Retried): Promise<string> {
  if (target.role.kind === 'arn') return target.role.arn;
  const caller = await retried('GetCallerIdentity (source credentials)', () => sts.getCallerIdentity(source.credentials)).catch((error: unknown) => {
    throw stsFailure('GetCallerIdentity', 'the source credentials', error);
  });
  const roleArn = completeRoleArn(target.role, caller.arn, caller.account);
  rt.out.info(`role-to-assume '${target.role.name}' is ${roleArn} (the source credentials' account)`);
  return roleArn;
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
